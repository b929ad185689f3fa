import { performance } from 'node:perf_hooks';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token, TokenBias } from 'node-llama-cpp';
import { createEngineMetrics } from './metrics.js';
import type { EngineMetrics, FinishedReason } from './metrics.js';
import { SlotPool, SlotWaitAbortedError } from './slot-pool.js';
import { StopMatcher } from './stop-matcher.js';
import { banEogToken, bannedTokens } from './token-bans.js';

export interface LlamaEngineOptions {
  modelPath: string;
  modelId: string;
  /** Sequences decoded together in one batch; more requests wait in a FIFO queue. */
  parallel: number;
  /** Tokens per sequence (prompt + completion). Default min(model's trained length, 2048). */
  contextSize?: number;
  threads: number;
  logger?: (line: string) => void;
}

export interface GenerateRequest {
  /** Prompt tokens, BOS included. */
  promptTokens: readonly Token[];
  maxTokens: number;
  temperature: number;
  topP: number;
  seed?: number;
  stop: readonly string[];
  ignoreEos: boolean;
  minTokens: number;
  signal: AbortSignal;
  /** Called once per generated token with its text ('' for EOS or a token cut by a stop string). */
  onToken(text: string): void;
}

export interface GenerateResult {
  finishReason: FinishedReason;
  promptTokens: number;
  completionTokens: number;
  text: string;
}

/**
 * One model, one llama.cpp context with `parallel` sequences. Requests take a sequence from a FIFO pool;
 * node-llama-cpp batches the pending evaluations of all sequences of the context into one decode, which is
 * continuous batching: a request joins or leaves the batch at any token.
 */
export class LlamaEngine {
  readonly metrics: EngineMetrics;
  private readonly pool: SlotPool<LlamaContextSequence>;
  private readonly baseBias: TokenBias;
  private readonly noEosBias: TokenBias;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();

  private constructor(
    readonly modelId: string,
    private readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequences: LlamaContextSequence[],
    biases: { base: TokenBias; noEos: TokenBias },
  ) {
    this.pool = new SlotPool(sequences);
    this.baseBias = biases.base;
    this.noEosBias = biases.noEos;
    this.metrics = createEngineMetrics(modelId, this.contextSize, {
      running: () => this.pool.inUse,
      waiting: () => this.pool.waiting,
      kvCacheUsage: () => this.kvCacheUsage(),
    });
  }

  /** Loads llama.cpp (CPU build only, never compiles or downloads), the model and the context. */
  static async load(opts: LlamaEngineOptions): Promise<LlamaEngine> {
    // Imported lazily: loading node-llama-cpp and testing its binary takes 1-3 s, which other commands skip.
    const { getLlama, LlamaLogLevel, TokenBias } = await import('node-llama-cpp');
    const log = opts.logger;
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      logLevel: LlamaLogLevel.error,
      ...(log ? { logger: (level: string, message: string) => log(`llama.cpp ${level}: ${message.trimEnd()}`) } : {}),
    });
    try {
      const model = await llama.loadModel({ modelPath: opts.modelPath });
      const contextSize = opts.contextSize ?? Math.min(model.trainContextSize, 2048);
      const context = await model.createContext({
        sequences: opts.parallel,
        contextSize,
        threads: opts.threads,
        // Memory checks are tuned for large GPU models; our sizes are known and small.
        ignoreMemorySafetyChecks: true,
      });
      const sequences = Array.from({ length: opts.parallel }, () => context.getSequence());
      const banned = bannedTokens(model);
      const base = new TokenBias(model.tokenizer);
      const noEos = new TokenBias(model.tokenizer);
      for (const t of banned) {
        base.set(t, 'never');
        noEos.set(t, 'never');
      }
      banEogToken(noEos, model.tokens.eos);
      return new LlamaEngine(opts.modelId, llama, model, context, sequences, { base, noEos });
    } catch (err) {
      await llama.dispose().catch(() => undefined);
      throw new Error(`could not load model ${opts.modelPath}`, { cause: err });
    }
  }

  /** Number of tokens in the vocabulary (0 if the file does not list them). */
  get vocabSize(): number {
    const meta = this.model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: unknown } } };
    const tokens = meta.tokenizer?.ggml?.tokens;
    return Array.isArray(tokens) ? tokens.length : 0;
  }

  /** Tokens one sequence can hold (prompt + completion). */
  get contextSize(): number {
    return this.context.contextSize;
  }

  get running(): number {
    return this.pool.inUse;
  }

  get waiting(): number {
    return this.pool.waiting;
  }

  /** Used context cells over all cells of all sequences, 0-1. */
  kvCacheUsage(): number {
    let used = 0;
    for (const s of this.sequences) used += s.nextTokenIndex;
    return used / (this.contextSize * this.sequences.length);
  }

  /** Tokenizes a prompt the way the model expects: BOS, then the SPM pieces. */
  tokenize(text: string): Token[] {
    const bos = this.model.tokens.bos;
    const body = this.model.tokenize(text);
    return bos === null ? body : [bos, ...body];
  }

  /**
   * Queues, prefills and decodes one request. Resolves when it finishes (stop, length) or is aborted
   * through `req.signal`; never rejects for a client disconnect.
   */
  generate(req: GenerateRequest): Promise<GenerateResult> {
    const run = this.run({ ...req, signal: AbortSignal.any([req.signal, this.shutdown.signal]) });
    const tracked = run.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return run;
  }

  private async run(req: GenerateRequest): Promise<GenerateResult> {
    const now = (): number => performance.now();
    const arrivalMs = now();
    const base = { promptTokens: req.promptTokens.length, maxTokens: req.maxTokens, arrivalMs };
    let sequence: LlamaContextSequence;
    try {
      if (this.closed) throw new Error('engine is closed');
      sequence = await this.pool.acquire(req.signal);
    } catch (err) {
      if (!(err instanceof SlotWaitAbortedError)) throw err;
      this.metrics.requestFinished({ ...base, finishedReason: 'abort', generationTokens: 0, finishedMs: now() });
      return { finishReason: 'abort', promptTokens: req.promptTokens.length, completionTokens: 0, text: '' };
    }
    const scheduledMs = now();
    let firstTokenMs: number | undefined;
    let lastTokenMs: number | undefined;
    let generated = 0;
    let finishReason: FinishedReason = 'length';
    const stops = new StopMatcher(req.stop);
    // Detokenizing with the preceding tokens keeps SPM's leading-space handling right for the first token.
    const recent: Token[] = req.promptTokens.slice(-8);
    const eos = this.model.tokens.eos;
    try {
      const tokens = sequence.evaluate([...req.promptTokens], {
        temperature: req.temperature,
        topP: req.topP,
        topK: 0,
        minP: 0,
        // Without a seed node-llama-cpp seeds from the current second, which would give concurrent
        // requests identical outputs; a random seed per request keeps them independent.
        seed: req.seed ?? Math.floor(Math.random() * 0x7fffffff),
        yieldEogToken: true,
        tokenBias: () => (req.ignoreEos || generated < req.minTokens ? this.noEosBias : this.baseBias),
      });
      for await (const token of tokens) {
        const t = now();
        if (firstTokenMs === undefined) {
          firstTokenMs = t;
          this.metrics.promptProcessed(req.promptTokens.length, (t - arrivalMs) / 1000);
          this.metrics.tokenGenerated(undefined);
        } else {
          this.metrics.tokenGenerated((t - lastTokenMs!) / 1000);
        }
        lastTokenMs = t;
        generated++;
        if (req.signal.aborted) {
          finishReason = 'abort';
          break;
        }
        if (token === eos || this.model.isEogToken(token)) {
          req.onToken('');
          // Going on after EOS is only reached if the EOS ban did not take; it is what vLLM's ignore_eos does.
          if (!req.ignoreEos && generated > req.minTokens) {
            finishReason = 'stop';
            break;
          }
          if (generated >= req.maxTokens) break;
          continue;
        }
        const piece = this.model.detokenize([token], false, recent);
        recent.push(token);
        if (recent.length > 8) recent.shift();
        const { emit, stopped } = stops.push(piece);
        req.onToken(emit);
        if (stopped) {
          finishReason = 'stop';
          break;
        }
        if (generated >= req.maxTokens) break;
        if (req.signal.aborted) {
          finishReason = 'abort';
          break;
        }
      }
      if (generated < req.maxTokens && finishReason === 'length') finishReason = req.signal.aborted ? 'abort' : 'stop';
    } catch (err) {
      finishReason = 'abort';
      throw new Error('generation failed', { cause: err });
    } finally {
      // Free the slot before anything else so the next queued request starts at once.
      await sequence.clearHistory().catch(() => undefined);
      this.pool.release(sequence);
      this.metrics.requestFinished({
        ...base,
        finishedReason: finishReason,
        generationTokens: generated,
        scheduledMs,
        firstTokenMs,
        lastTokenMs,
        finishedMs: now(),
      });
    }
    return { finishReason, promptTokens: req.promptTokens.length, completionTokens: generated, text: stops.output };
  }

  /** Cancels queued requests and frees llama.cpp memory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shutdown.abort(new Error('engine is closing'));
    // Requests already decoding stop at their next token; wait for them so the context is not freed
    // under a running evaluation.
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.context.dispose().catch(() => undefined);
    await this.model.dispose().catch(() => undefined);
    await this.llama.dispose().catch(() => undefined);
  }
}
