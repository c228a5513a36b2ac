/**
 * The top-level `mcs_certs` and `certificate_revocation_list` keys a containerised sensor needs to
 * find the CA files its image carries. The vendor's own example lists `sophosca2.crt` in the
 * revocation list; that list must hold `.crl` files, so such an entry is fixed and reported.
 */
import { Scalar, YAMLSeq, isScalar, isSeq, type YAMLMap } from 'yaml';

export function certPaths(certDir: string, pairs: readonly number[], ext: 'crt' | 'crl'): string[] {
  const dir = certDir.replace(/\/+$/, '') || '/';
  return pairs.map((n) => `${dir === '/' ? '' : dir}/sophosca${n}.${ext}`);
}

const baseName = (path: string) => path.split('/').pop() ?? path;

function stringsOf(node: unknown): string[] | null {
  if (!isSeq(node)) return null;
  const values = node.items.map((item) => (isScalar(item) && typeof item.value === 'string' ? item.value : null));
  return values.every((v): v is string => v !== null) ? values : null;
}

/** Sets the list's items, keeping the list node itself (flow or block, comments) and its quoting. */
function setList(top: YAMLMap, key: string, paths: string[]): void {
  const old = top.get(key, true);
  const first = isSeq(old) ? old.items[0] : undefined;
  const type = isScalar(first) ? first.type : Scalar.QUOTE_DOUBLE;
  const items = paths.map((path) => {
    const item = new Scalar(path);
    item.type = type;
    return item;
  });
  if (isSeq(old)) {
    old.items = items;
    return;
  }
  const seq = new YAMLSeq<Scalar<string>>();
  seq.items = items;
  seq.flow = true; // one line, as the vendor documents it
  top.set(key, seq);
}

const sameSet = (a: readonly string[] | null, b: readonly string[]) =>
  a !== null && a.length === b.length && b.every((x) => a.includes(x));

/** Container mode: both lists name exactly the pairs present under certDir. */
export function setContainerCerts(top: YAMLMap, certDir: string, pairs: readonly number[]): string[] {
  const changes: string[] = [];
  const crts = certPaths(certDir, pairs, 'crt');
  const crls = certPaths(certDir, pairs, 'crl');

  const oldCrts = stringsOf(top.get('mcs_certs', true));
  if (!sameSet(oldCrts, crts)) {
    setList(top, 'mcs_certs', crts);
    changes.push(`mcs_certs set to ${crts.map(baseName).join(', ')}`);
  }

  const oldCrls = stringsOf(top.get('certificate_revocation_list', true));
  if (!sameSet(oldCrls, crls)) {
    const fixes = (oldCrls ?? []).filter((p) => p.endsWith('.crt'));
    for (const wrong of fixes) {
      const right = wrong.replace(/\.crt$/, '.crl');
      const fate = crls.some((p) => baseName(p) === baseName(right)) ? `replaced with ${baseName(right)}` : 'removed';
      changes.push(`certificate_revocation_list listed ${baseName(wrong)}, a certificate; ${fate}`);
    }
    setList(top, 'certificate_revocation_list', crls);
    const fixedOnly =
      sameSet(
        (oldCrls ?? []).map((p) => p.replace(/\.crt$/, '.crl')),
        crls,
      ) && fixes.length > 0;
    if (!fixedOnly) changes.push(`certificate_revocation_list set to ${crls.map(baseName).join(', ')}`);
  }
  return changes;
}

/**
 * Package mode leaves both lists to the operator, except for the documented mistake: a `.crt`
 * in the revocation list becomes the `.crl` beside it.
 */
export function fixRevocationList(top: YAMLMap): string[] {
  const list = top.get('certificate_revocation_list', true);
  if (!isSeq(list)) return [];
  const changes: string[] = [];
  list.items = list.items.filter((item) => {
    if (isScalar(item) && typeof item.value === 'string' && item.value.endsWith('.crt')) {
      const right = item.value.replace(/\.crt$/, '.crl');
      const listed = list.items.some((other) => isScalar(other) && other.value === right);
      changes.push(
        `certificate_revocation_list listed ${baseName(item.value)}, a certificate; ` +
          (listed ? `removed (${baseName(right)} is already listed)` : `replaced with ${baseName(right)}`),
      );
      if (listed) return false;
      item.value = right;
    }
    return true;
  });
  return changes;
}
