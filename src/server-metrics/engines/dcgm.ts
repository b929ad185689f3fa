import { hasPrefix } from './sample-index.js';
import type { EngineProfile } from './profile.js';

/** NVIDIA DCGM exporter (port 9400): utilization in %, framebuffer in MiB, energy in mJ; converted here. */
export const dcgmProfile: EngineProfile = {
  id: 'dcgm',
  detect: (index) => (hasPrefix(index, 'DCGM_FI_') ? { id: 'dcgm' } : undefined),
  gauges: {
    gpu_utilization: [{ name: 'DCGM_FI_DEV_GPU_UTIL', scale: 0.01 }],
    gpu_memory_used_bytes: [{ name: 'DCGM_FI_DEV_FB_USED', scale: 1024 * 1024 }],
    gpu_power_watts: [{ name: 'DCGM_FI_DEV_POWER_USAGE' }],
  },
  counters: {
    gpu_energy_joules: [{ name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', scale: 1e-3 }],
  },
  histograms: {},
};
