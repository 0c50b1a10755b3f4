/**
 * The V8 heap limit each app process starts with, from its container's memory limit.
 *
 * Why it is set at all: Node sizes V8's heap from the memory it detects. In a pod that
 * is the cgroup limit when libuv can read it (nodejs/node#27508) and the whole node's
 * memory when it cannot (cgroup v2 before libuv 1.45: nodejs/node#47259); even when it
 * can, the heap limit comes out near the container limit itself (nodejs/node#64646),
 * leaving nothing for buffers, native addons and the code. And the limit decides how
 * lazily V8 collects: MemoryController::MaxGrowingFactor (v8 src/heap/heap-controller.cc)
 * lets the old generation grow to 4× the live size before a full collection when the
 * limit is 2 GB or more, 1.3–2× below that, and the young generation is sized from the
 * limit too (Heap::YoungGenerationSizeFromOldGenerationSize). Measured on the api under
 * 50 connections (issue 14): with the default limit of a 24 GB machine the process held
 * about 200 MiB, 90 MiB of it garbage awaiting a collection (21 MiB live); with the limit
 * below, about 150 MiB at the same throughput.
 *
 * Three quarters of the limit, shared by the processes of the pod (WEB_CONCURRENCY), is
 * the heap; the rest is for what V8 does not count (buffers, SQLite's page cache, code).
 */

/** Share of the container's memory limit given to the V8 heaps of its processes. */
export const HEAP_SHARE_OF_LIMIT = 0.75;

const MIB_PER_UNIT: Readonly<Record<string, number>> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** A memory quantity in MiB; the environment schema admits `<n>Ki|Mi|Gi|Ti` only. */
export function mebibytes(quantity: string): number {
  const match = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!match) throw new Error(`"${quantity}" is not a memory quantity such as "512Mi" or "1Gi"`);
  return Number(match[1]) * MIB_PER_UNIT[match[2]];
}

/** `--max-old-space-size` (MiB) for each of `processes` processes under `memoryLimit`. */
export function heapLimitMiB(memoryLimit: string, processes: number): number {
  if (!Number.isInteger(processes) || processes < 1) throw new Error(`processes must be a positive whole number, not ${processes}`);
  return Math.floor((mebibytes(memoryLimit) * HEAP_SHARE_OF_LIMIT) / processes);
}

/** The container's command: node with the heap limit, then the app's entry point. */
export function nodeCommand(entryPoint: string, memoryLimit: string, processes: number): string[] {
  return ['node', `--max-old-space-size=${heapLimitMiB(memoryLimit, processes)}`, entryPoint];
}
