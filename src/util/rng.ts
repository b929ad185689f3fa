/**
 * Seeded pseudo-random numbers, so schedules and workloads are reproducible from --seed.
 * Derive independent streams with `forkRng(seed, 'label')` rather than sharing one generator.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer uniform in [min, max] inclusive. */
  int(min: number, max: number): number;
  /** Standard normal (Box-Muller). */
  normal(mean?: number, stddev?: number): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Gamma(shape, scale) (Marsaglia-Tsang). Mean shape*scale. */
  gamma(shape: number, scale: number): number;
}

/** 32-bit string hash (FNV-1a), to derive sub-seeds from labels. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** An independent stream for (seed, label), e.g. forkRng(seed, 'arrivals'). */
export function forkRng(seed: number, label: string): Rng {
  return createRng((hash32(label) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

export function createRng(seed: number): Rng {
  // sfc32 seeded through splitmix32: fast, good statistical quality, 128-bit state.
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  let spare: number | null = null;
  const normal = (mean = 0, stddev = 1): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return mean + stddev * v;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return mean + stddev * r * Math.cos(2 * Math.PI * v);
  };
  const gamma = (shape: number, scale: number): number => {
    if (shape < 1) {
      // Boost: Gamma(k) = Gamma(k+1) * U^(1/k)
      let u = 0;
      while (u === 0) u = next();
      return gamma(shape + 1, scale) * Math.pow(u, 1 / shape);
    }
    const d3 = shape - 1 / 3;
    const c3 = 1 / Math.sqrt(9 * d3);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c3 * x;
      } while (v <= 0);
      v = v * v * v;
      const u = next();
      if (u < 1 - 0.0331 * x * x * x * x) return d3 * v * scale;
      if (Math.log(u) < 0.5 * x * x + d3 * (1 - v + Math.log(v))) return d3 * v * scale;
    }
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal,
    exponential: (rate) => {
      let u = 0;
      while (u === 0) u = next();
      return -Math.log(u) / rate;
    },
    gamma,
  };
}
