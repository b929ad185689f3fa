import type { GgmlTypeName } from './gguf-writer.js';

/** Shape of a generated llama-architecture model. */
export interface ModelShape {
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  nVocab: number;
  contextLength: number;
  /** Type of the 2-D weight matrices; norms are always F32. */
  weightType: GgmlTypeName;
}

export type PresetName = 'tiny' | 'small' | 'medium';

/**
 * Built-in sizes. File sizes: tiny ~2.3 MB (F32), small ~14 MB (F32), medium ~78 MB (F16).
 * All use grouped-query attention (fewer KV heads) like current llama-family models.
 */
export const PRESETS: Readonly<Record<PresetName, ModelShape>> = {
  tiny: { nEmbd: 128, nLayer: 2, nHead: 4, nHeadKv: 2, nFf: 256, nVocab: 1024, contextLength: 2048, weightType: 'F32' },
  small: { nEmbd: 256, nLayer: 4, nHead: 8, nHeadKv: 4, nFf: 512, nVocab: 2048, contextLength: 2048, weightType: 'F32' },
  medium: { nEmbd: 512, nLayer: 11, nHead: 8, nHeadKv: 4, nFf: 1536, nVocab: 4096, contextLength: 4096, weightType: 'F16' },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Narrows a user-supplied name to a preset, with a message listing the allowed values. */
export function parsePresetName(name: string): PresetName {
  if ((PRESET_NAMES as string[]).includes(name)) return name as PresetName;
  throw new RangeError(`unknown model preset '${name}'; allowed: ${PRESET_NAMES.join(', ')}`);
}
