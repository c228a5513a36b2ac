/**
 * The shell that asks, from the host, whether the sensor's MCS endpoint can be reached: a TCP
 * connect and a TLS handshake, bounded by a timeout, with the first client the host has (curl,
 * openssl, bash's /dev/tcp, python3). The handshake proves a TLS server answers; the certificate
 * is not judged (the sensor trusts Sophos's own CAs, not the host's store). Each branch ends in one
 * line `probe <client> <reason> [detail]` that mcs-probe.ts reads; every value is quoted once.
 */
import { shellQuote } from '../remote/quote.ts';

/** Where the endpoint is and how long each attempt may take. */
export interface ProbeTarget {
  host: string;
  port: number;
  timeoutS: number;
}

// curl's exit codes (curl(1), "EXIT CODES"), in the probe's words. time_appconnect > 0 means the
// handshake completed, whatever came after it (an HTTP error, a server that then stays silent);
// -v's "Connected to" that the TCP connect did (curl's connect timeout covers the handshake too).
const CURL = `o=$(curl -sSkv -o /dev/null --connect-timeout "$t" -m "$t" -w '\\nsls-play-w %{time_appconnect} %{time_connect}\\n' "$@" "https://$h:$p/" 2>&1); c=$?
w=$(printf '%s\\n' "$o" | sed -n 's/^sls-play-w //p' | tail -n 1)
case $w in '0.000000 '*|'') hs=0;; *) hs=1;; esac
case $o in *"Connected to "*) tcp=1;; *) tcp=0;; esac
if [ "$hs" = 1 ]; then r=ok
else case $c in
  0) r=ok;; 6) r=not-resolved;; 5) r=proxy-not-resolved;;
  7) case $o in *"Connection refused"*) r=refused;; *) r=unreachable;; esac;;
  28) if [ "$tcp" = 1 ]; then r=timed-out-tls; else r=timed-out; fi;;
  35|51|53|54|58|59|60|64|66|77|80|83|90|91|98) r=tls-failed;;
  56|97) if [ -n "$px" ]; then r=proxy-failed; else r=tls-failed; fi;;
  *) r=error;;
esac; fi
echo "probe curl $r $c"`;

// openssl s_client prints "New, TLSv1.3, Cipher is …" once the handshake is done.
const OPENSSL = `if [ -n "$px" ]; then ph=\${px#*://}; ph=\${ph#*@}; ph=\${ph%%/*}; set -- -proxy "$ph"; else set --; fi
o=$(timeout "$t" openssl s_client -connect "$h:$p" -servername "$h" "$@" </dev/null 2>&1); c=$?
case $o in
  *"New, TLS"*|*"New, SSL"*) r=ok;;
  *"Name or service not known"*|*"nodename nor servname"*|*"No address associated"*|*"Temporary failure in name resolution"*) r=not-resolved;;
  *"Connection refused"*|*errno=111*) r=refused;;
  *) if [ "$c" = 124 ]; then case $o in *CONNECTED*) r=timed-out-tls;; *) r=timed-out;; esac
     else case $o in *CONNECTED*) r=tls-failed;; *) r=unreachable;; esac; fi;;
esac
echo "probe openssl $r $c"`;

// bash's /dev/tcp proves the TCP connect only (there is no TLS client in it); through a proxy,
// an HTTP CONNECT whose answer must be 200.
const BASH = `o=$(timeout "$t" bash -c 'if [ -n "$3" ]; then ph=\${3#*://}; ph=\${ph#*@}; ph=\${ph%%/*}
  exec 3<>"/dev/tcp/\${ph%:*}/\${ph##*:}" || exit 3
  printf "CONNECT %s:%s HTTP/1.1\\r\\nHost: %s:%s\\r\\n\\r\\n" "$1" "$2" "$1" "$2" >&3
  read -r v s rest <&3; case $s in 200) exit 0;; *) echo "proxy answered $s" >&2; exit 4;; esac
else exec 3<>"/dev/tcp/$1/$2"; fi' sh "$h" "$p" "$px" 2>&1); c=$?
case $c in
  0) r=ok-tcp;; 124) r=timed-out;; 4) r=proxy-failed;;
  *) case $o in *"Name or service not known"*|*"Temporary failure in name resolution"*|*"No address associated"*) r=not-resolved;;
       *refused*) r=refused;; *) r=unreachable;; esac;;
esac
echo "probe bash $r $c"`;

// python3: the same connect and handshake, the reason read from the exception's type.
const PYTHON_CODE = `import socket, ssl, sys
h, p, t, px = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
stage = 'connect'
try:
    if px:
        hp = px.split('://')[-1].split('@')[-1].split('/')[0]
        s = socket.create_connection((hp.rsplit(':', 1)[0], int(hp.rsplit(':', 1)[1])), t)
        s.sendall(('CONNECT %s:%d HTTP/1.1\\r\\nHost: %s:%d\\r\\n\\r\\n' % (h, p, h, p)).encode())
        head = s.recv(4096).split(b' ')
        if len(head) < 2 or head[1] != b'200':
            print('probe python3 proxy-failed'); sys.exit(0)
    else:
        s = socket.create_connection((h, p), t)
    stage = 'tls'
    c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
    c.wrap_socket(s, server_hostname=h).close()
    print('probe python3 ok')
except socket.gaierror:
    print('probe python3 not-resolved')
except ConnectionRefusedError:
    print('probe python3 refused')
except socket.timeout:
    print('probe python3 ' + ('timed-out-tls' if stage == 'tls' else 'timed-out'))
except ssl.SSLError:
    print('probe python3 tls-failed')
except OSError as e:
    print('probe python3 ' + ('tls-failed' if stage == 'tls' else 'unreachable'))
`;
const PYTHON = `python3 -c ${shellQuote(PYTHON_CODE)} "$h" "$p" "$t" "$px"`;

/** The probe itself, given `h`, `p`, `t` and `px` (the proxy URL, maybe empty) as shell variables. */
export const PROBE_BODY = `if command -v curl >/dev/null 2>&1; then
if [ -n "$px" ]; then set -- --proxy "$px"; else set -- --noproxy '*'; fi
${CURL}
elif command -v openssl >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
${OPENSSL}
elif command -v bash >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
${BASH}
elif command -v python3 >/dev/null 2>&1; then
${PYTHON}
else echo 'probe none cannot-tell'; fi`;

// The sensor unit's environment (`Environment=A=1 "B=two words"`), one assignment a line.
const UNIT_PROXY = `systemctl show -p Environment sophoslinuxsensor 2>/dev/null | sed 's/^Environment=//' | tr ' ' '\\n' | sed 's/^"//; s/"$//' | grep -E '^(HTTPS_PROXY|https_proxy)=' | head -n 1 | cut -d= -f2-`;

/** Variables, the proxy line, then the probe, for `sh -c` (the container's shell, or the host's). */
function probeScript(target: ProbeTarget, proxyFrom: 'unit' | 'environment'): string {
  const proxy = proxyFrom === 'unit' ? `px=$(${UNIT_PROXY})` : 'px=${HTTPS_PROXY:-${https_proxy:-}}';
  return [
    `h=${shellQuote(target.host)} p=${target.port} t=${target.timeoutS}`,
    proxy,
    // the proxy is named without any user:password it carries
    'if [ -n "$px" ]; then ps=${px#*://}; echo "proxy ${ps#*@}"; fi',
    PROBE_BODY,
  ].join('\n');
}

/**
 * The whole probe command. A package install probes from the host, through the proxy its unit's
 * environment names. A container probes from inside when the exec prefix runs a shell there
 * (through the container's own proxy variables), else from the host, and says which.
 */
export function mcsProbeCommand(target: ProbeTarget, container?: { execPrefix: string }): string {
  if (!container) return `echo 'from host'\n${probeScript(target, 'unit')}`;
  const inside = `${container.execPrefix} sh -c ${shellQuote(probeScript(target, 'environment'))}`;
  return [
    `if ${container.execPrefix} sh -c true >/dev/null 2>&1 </dev/null; then echo 'from container'; ${inside} </dev/null`,
    `else echo 'from host-fallback'; ${probeScript(target, 'unit')}`,
    'fi',
  ].join('\n');
}
