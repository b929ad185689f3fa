import { diagnoseRun } from '../../analysis/diagnose-run.js';
import { diagnoseSweep } from '../../analysis/diagnose-sweep.js';
import { loadRun } from '../../results/load-run.js';
import type { Diagnosis } from '../../results/findings.js';
import { loadSweepIfAny } from '../../sweep/load-sweep.js';

/** Loads the sweep or run `ref` names and prints its diagnosis (recomputed from what is stored). */
export async function analyzeCommand(ref: string, flags: { db?: string; json?: boolean }): Promise<void> {
  const opts = flags.db ? { db: flags.db } : {};
  const sweep = loadSweepIfAny(ref, opts);
  let what: { kind: 'sweep' | 'run'; id: string; label: string };
  let diagnosis: Diagnosis;
  if (sweep) {
    what = { kind: 'sweep', id: sweep.sweep.id, label: sweep.label };
    diagnosis = diagnoseSweep(sweep.sweep);
  } else {
    const run = await loadRun(ref, opts);
    what = { kind: 'run', id: run.id, label: run.label };
    diagnosis = diagnoseRun({ summary: run.results.summary, server: run.results.server ?? null, records: run.records });
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify({ [what.kind]: what.id, findings: diagnosis.findings }, null, 2) + '\n');
    return;
  }
  const lines = [`${what.kind} ${what.label}`];
  for (const f of diagnosis.findings) {
    lines.push('', `${f.kind} (${f.confidence} confidence): ${f.title}`);
    const ev = Object.entries(f.evidence).filter(([, v]) => v !== null);
    if (ev.length > 0) lines.push(`  evidence: ${ev.map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toPrecision(4) : v}`).join(', ')}`);
    for (const a of f.advice) lines.push(`  try: ${a}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
