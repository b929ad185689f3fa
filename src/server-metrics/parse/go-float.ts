/** Parses a number as Go's strconv.ParseFloat does for decimal input (incl. NaN, Inf, +Inf, -Inf); undefined if invalid. */
export function parseGoFloat(s: string): number | undefined {
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    const v = Number(s);
    if (!Number.isNaN(v)) {
      // Number() also takes 0x/0o/0b literals, which Go's ParseFloat rejects without a p-exponent.
      const i = c === 45 || c === 43 ? 1 : 0;
      const d = s.charCodeAt(i + 1) | 32;
      if (s.charCodeAt(i) === 48 && (d === 120 || d === 111 || d === 98)) return undefined;
      return v;
    }
  }
  switch (s.toLowerCase()) {
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}
