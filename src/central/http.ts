import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { CentralApiError } from './errors.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** lower-case names */
  headers: Record<string, string | undefined>;
  body: string;
}

/** One HTTP exchange; throws CentralApiError('network') when no answer came. */
export type Transport = (req: HttpRequest, signal?: AbortSignal) => Promise<HttpResponse>;

export interface HttpsOptions {
  /** extra trusted CA certificates (PEM), added to Node's roots; production uses NODE_EXTRA_CA_CERTS instead */
  extraCa?: string[];
  timeoutMs?: number;
}

/** HTTPS only, through node:https (which honours NODE_EXTRA_CA_CERTS). */
export function httpsTransport(options: HttpsOptions = {}): Transport {
  const ca = options.extraCa?.length ? [...rootCertificates, ...options.extraCa] : undefined;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return (req, signal) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(req.url);
      if (url.protocol !== 'https:') {
        reject(new CentralApiError(`refusing ${url.origin}: Sophos Central is reached over HTTPS only`, 'client'));
        return;
      }
      const headers: Record<string, string | number> = { accept: 'application/json', ...req.headers };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const call = request(
        url,
        { method: req.method, headers, ...(ca ? { ca } : {}), signal, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const flat: Record<string, string | undefined> = {};
            for (const [k, v] of Object.entries(res.headers))
              flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', (e) => reject(networkError(url, e)));
        },
      );
      call.on('timeout', () => call.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
      call.on('error', (e) => reject(networkError(url, e)));
      call.end(req.body);
    });
}

function networkError(url: URL, error: Error): CentralApiError {
  if (error.name === 'AbortError') return new CentralApiError('interrupted', 'network');
  const code = (error as NodeJS.ErrnoException).code;
  const tls = code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
  const hint = tls ? ' (a private CA goes in NODE_EXTRA_CA_CERTS)' : '';
  return new CentralApiError(`cannot reach ${url.origin}: ${code ? `${code} ` : ''}${error.message}${hint}`, 'network');
}
