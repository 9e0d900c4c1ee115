/**
 * Simulator speed: the `icons` preset at XRFMAPS_SIM_BENCH_SCALE (default 0.25; set 1 for the full
 * ~0.59 M spectra × 4096 channels, a few minutes and ~4.8 GB of disk), written as RPL/RAW with two
 * worker threads, into a temporary folder that is removed afterwards.
 *
 * Reported beside two references measured in the same run on the same volume of data:
 *  - disk: writing the same number of bytes with plain fs writes (the I/O floor);
 *  - per-channel RNG: one xoshiro uniform per channel value (what sampling every channel would cost
 *    before any Poisson work), on one thread.
 * For the default scale the full-size time is extrapolated by pixel count (costs are per pixel).
 */
import { promises as fs, openSync, writeSync, closeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simulatePreset } from '../src/core/simulate/index';
import { PRESETS, scaledSize } from '../src/core/simulate/presets';
import { Rng } from '../src/core/simulate/rng';

export async function bench(report: (line: string) => void): Promise<void> {
  const scale = Number(process.env.XRFMAPS_SIM_BENCH_SCALE ?? 0.25);
  const workers = Number(process.env.XRFMAPS_SIM_BENCH_WORKERS ?? 2);
  const preset = PRESETS.icons;
  const pixels = preset.paintings.reduce((s, p) => {
    const { height, width } = scaledSize(p, scale);
    return s + height * width;
  }, 0);
  const fullPixels = preset.paintings.reduce((s, p) => s + p.height * p.width, 0);
  const bytes = pixels * preset.channels * 2;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-sim-bench-'));
  try {
    // Reference 1: the disk, same byte count, 4-row-sized writes.
    const chunk = new Uint8Array(4 * 400 * preset.channels * 2);
    let t0 = performance.now();
    const fd = openSync(path.join(dir, 'zeros.bin'), 'w');
    for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
    closeSync(fd);
    const diskS = (performance.now() - t0) / 1000;
    await fs.rm(path.join(dir, 'zeros.bin'));

    // Reference 2: one uniform per channel value, one thread (capped at 2e8 draws, scaled up).
    const draws = Math.min(pixels * preset.channels, 2e8);
    const rng = new Rng(1);
    let acc = 0;
    t0 = performance.now();
    for (let i = 0; i < draws; i++) acc += rng.uniform();
    const rngS = (((performance.now() - t0) / 1000) * (pixels * preset.channels)) / draws;
    if (acc < 0) report('unreachable');

    // The simulator.
    let peakRss = 0;
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    const m = await simulatePreset('icons', {
      outDir: path.join(dir, 'sim'),
      scale,
      workers,
      onProgress: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
    });
    const simS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const counts = m.paintings.reduce((s, p) => s + p.totalCounts, 0);

    report(`icons --scale ${scale}: ${pixels} spectra × ${preset.channels} channels (${(bytes / 2 ** 20).toFixed(0)} MiB RAW), ${workers} workers`);
    report(`  simulate ${simS.toFixed(1)} s = ${(pixels / simS).toFixed(0)} spectra/s, ${(counts / simS / 1e6).toFixed(1)} M counts/s; process CPU (all threads) ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
    report(`  reference disk write of the same bytes: ${diskS.toFixed(2)} s → simulate/disk = ${(simS / diskS).toFixed(1)}×`);
    report(`  reference one uniform per channel (1 thread): ${rngS.toFixed(2)} s → simulate/rng = ${(simS / rngS).toFixed(2)}×`);
    if (scale !== 1) {
      const f = fullPixels / pixels;
      report(`  extrapolated full size (×${f.toFixed(1)} pixels): ${((simS * f) / 60).toFixed(1)} min (goal < 5 min)`);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
