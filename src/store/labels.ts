import { StoreError } from './errors.js';

// Keys stay shell- and URL-friendly so `--label key=value` filters need no quoting.
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
const BASELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.\-]*$/;
const MAX_LABEL_LENGTH = 256;

/**
 * Parses one `key=value` label. The value may contain `=`; neither part may be empty.
 * @example parseLabel('gpu=h100') // { key: 'gpu', value: 'h100' }
 */
export function parseLabel(text: string): { key: string; value: string } {
  const eq = text.indexOf('=');
  if (eq < 0) throw new StoreError('invalid_input', `label "${text}": expected key=value`);
  const key = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  checkLabel(key, value);
  return { key, value };
}

/** Parses several `key=value` labels into a map; a repeated key is an error. */
export function parseLabels(texts: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const text of texts) {
    const { key, value } = parseLabel(text);
    if (key in labels) throw new StoreError('invalid_input', `label "${key}" given twice`);
    labels[key] = value;
  }
  return labels;
}

/** Throws StoreError naming the label when a key or value is not storable. */
export function checkLabel(key: string, value: string): void {
  if (key === '') throw new StoreError('invalid_input', `label "${key}=${value}": key is empty`);
  if (!LABEL_KEY.test(key) || key.length > MAX_LABEL_LENGTH) {
    throw new StoreError(
      'invalid_input',
      `label key "${key}": use letters, digits, _ . - / (starting with a letter or _), at most ${MAX_LABEL_LENGTH} characters`,
    );
  }
  if (value === '') throw new StoreError('invalid_input', `label "${key}": value is empty (expected ${key}=value)`);
  if (value.length > MAX_LABEL_LENGTH) {
    throw new StoreError('invalid_input', `label "${key}": value longer than ${MAX_LABEL_LENGTH} characters`);
  }
}

/** Throws StoreError when `name` cannot name a baseline. */
export function checkBaselineName(name: string): void {
  if (!BASELINE_NAME.test(name) || name.length > MAX_LABEL_LENGTH) {
    throw new StoreError(
      'invalid_input',
      `baseline name "${name}": use letters, digits, _ . - (starting with a letter or digit), at most ${MAX_LABEL_LENGTH} characters`,
    );
  }
}

/** `a=1,b=2`, keys sorted; empty string for no labels. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
}
