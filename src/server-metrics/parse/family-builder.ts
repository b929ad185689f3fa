import type { MetricFamily, MetricType, Sample } from './types.js';

const TYPE_NAMES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  untyped: 'unknown',
  unknown: 'unknown',
};

/** Suffixes a sample name may carry beyond its family name; tried one by one, never guessed greedily. */
const SUFFIXES = ['_total', '_created', '_bucket', '_sum', '_count', '_gsum', '_gcount', '_info'];

/** Maps a TYPE word to a MetricType, or undefined when it is not one. */
export function metricTypeOf(word: string): MetricType | undefined {
  return Object.prototype.hasOwnProperty.call(TYPE_NAMES, word) ? TYPE_NAMES[word] : undefined;
}

interface FamilyState {
  family: MetricFamily;
  /** The name the metadata lines used (e.g. `foo_total` for a prometheus_client counter). */
  metaName: string;
  typed: boolean;
}

/** Whether sample name `s` belongs to family `f`, by the suffixes its type allows. */
function belongs(f: MetricFamily, s: string): boolean {
  const n = f.name;
  if (s === n) {
    return f.type !== 'histogram' && f.type !== 'gaugehistogram';
  }
  if (s.length <= n.length || !s.startsWith(n)) return false;
  const rest = s.length - n.length;
  switch (f.type) {
    case 'counter':
      return (rest === 6 && s.endsWith('_total')) || (rest === 8 && s.endsWith('_created'));
    case 'histogram':
      return (
        (rest === 7 && s.endsWith('_bucket')) ||
        (rest === 4 && s.endsWith('_sum')) ||
        (rest === 6 && s.endsWith('_count')) ||
        (rest === 8 && s.endsWith('_created'))
      );
    case 'gaugehistogram':
      return (
        (rest === 7 && s.endsWith('_bucket')) ||
        (rest === 5 && s.endsWith('_gsum')) ||
        (rest === 7 && s.endsWith('_gcount')) ||
        (rest === 4 && s.endsWith('_sum')) ||
        (rest === 6 && s.endsWith('_count'))
      );
    case 'summary':
      return (
        (rest === 4 && s.endsWith('_sum')) ||
        (rest === 6 && s.endsWith('_count')) ||
        (rest === 8 && s.endsWith('_created'))
      );
    case 'info':
      return rest === 5 && s.endsWith('_info');
    default:
      return false;
  }
}

/**
 * Groups samples into families as the parser meets them. Metadata (HELP/TYPE/UNIT) names a family; a sample
 * joins the current family when its suffix fits the family's type, otherwise a declared family found by
 * stripping one known suffix, otherwise a new `unknown` family of its own.
 */
export class FamilyBuilder {
  readonly families: MetricFamily[] = [];
  private readonly byName = new Map<string, FamilyState>();
  private current: FamilyState | undefined;
  private lastSampleName = '';
  private lastSampleFamily: MetricFamily | undefined;

  /** Family for a metadata line about `metaName`; creates it when new. */
  private forMeta(metaName: string): FamilyState {
    const cur = this.current;
    if (cur && (cur.metaName === metaName || cur.family.name === metaName)) return cur;
    const found = this.byName.get(metaName);
    if (found) {
      this.current = found;
      return found;
    }
    const state: FamilyState = {
      family: { name: metaName, type: 'unknown', help: '', unit: '', samples: [] },
      metaName,
      typed: false,
    };
    this.families.push(state.family);
    this.byName.set(metaName, state);
    this.current = state;
    this.lastSampleFamily = undefined;
    return state;
  }

  /** Applies a TYPE line. Returns an error message when it conflicts with what came before. */
  setType(metaName: string, type: MetricType): string | undefined {
    const st = this.forMeta(metaName);
    if (st.typed) {
      return st.family.type === type ? undefined : `second TYPE for ${metaName} (${st.family.type}, then ${type})`;
    }
    if (st.family.samples.length > 0 && type !== 'unknown') {
      return `TYPE for ${metaName} comes after its samples`;
    }
    st.typed = true;
    st.family.type = type;
    // prometheus_client writes `# TYPE foo_total counter`; name the family `foo` as OpenMetrics does.
    if (type === 'counter' && metaName.endsWith('_total') && metaName.length > 6) {
      const base = metaName.slice(0, -6);
      if (!this.byName.has(base)) {
        this.byName.delete(st.family.name);
        st.family.name = base;
        this.byName.set(base, st);
      }
    }
    this.lastSampleFamily = undefined;
    return undefined;
  }

  setHelp(metaName: string, help: string): void {
    this.forMeta(metaName).family.help = help;
  }

  setUnit(metaName: string, unit: string): void {
    this.forMeta(metaName).family.unit = unit;
  }

  addSample(sample: Sample): void {
    const s = sample.name;
    if (this.lastSampleFamily !== undefined && s === this.lastSampleName) {
      this.lastSampleFamily.samples.push(sample);
      return;
    }
    const fam = this.familyForSample(s);
    fam.samples.push(sample);
    this.lastSampleName = s;
    this.lastSampleFamily = fam;
  }

  private familyForSample(s: string): MetricFamily {
    const cur = this.current;
    if (cur && belongs(cur.family, s)) return cur.family;
    const direct = this.byName.get(s);
    if (direct && belongs(direct.family, s)) return this.use(direct);
    for (const suffix of SUFFIXES) {
      if (s.length > suffix.length && s.endsWith(suffix)) {
        const st = this.byName.get(s.slice(0, -suffix.length));
        if (st && belongs(st.family, s)) return this.use(st);
      }
    }
    const state: FamilyState = {
      family: { name: s, type: 'unknown', help: '', unit: '', samples: [] },
      metaName: s,
      typed: false,
    };
    this.families.push(state.family);
    if (!this.byName.has(s)) this.byName.set(s, state);
    this.current = state;
    return state.family;
  }

  private use(st: FamilyState): MetricFamily {
    this.current = st;
    return st.family;
  }
}
