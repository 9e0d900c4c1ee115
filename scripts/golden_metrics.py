#!/usr/bin/python3
"""Golden values for src/core/metrics, computed independently with scikit-image and NumPy.

Run with the Debian interpreter (python3-skimage, python3-numpy):

    /usr/bin/python3 scripts/golden_metrics.py              # fixtures -> test/fixtures/metrics/golden.json
    /usr/bin/python3 scripts/golden_metrics.py --generate   # (re)make the fixture maps first (seeded, deterministic)
    /usr/bin/python3 scripts/golden_metrics.py --out X.json # write elsewhere (the live cross-check test does this)

Each fixture case is a pair of float32 H x W x k stacks `<case>.gt.npy` / `<case>.pred.npy` with sidecars
`<case>.gt.json` / `<case>.pred.json` ({"lines": [...]}) so the TypeScript test reads them through
readGroundTruth. Every definition below is the one in docs/metrics.md; SSIM is skimage's own
structural_similarity on float64 copies of the float32 maps (skimage would otherwise compute in float32).
"""
import argparse
import json
import os
import sys

import numpy as np
import skimage
from skimage.metrics import structural_similarity

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'test', 'fixtures', 'metrics')


def reference_range(g, p):
    """(min, R): gt range; if gt is flat, the range of gt and pred together; if that is 0 too, 1."""
    gmin, gmax = float(g.min()), float(g.max())
    if gmax > gmin:
        return gmin, gmax - gmin
    both = np.concatenate([g.ravel(), p.ravel()])
    r = float(both.max() - both.min())
    return gmin, (r if r > 0 else 1.0)


def window_for(h, w):
    side = min(h, w, 7)
    win = side if side % 2 == 1 else side - 1
    return win if win >= 3 else None


def pearson(g, p):
    if g.std() == 0 or p.std() == 0:
        return None
    return float(np.clip(np.corrcoef(g.ravel(), p.ravel())[0, 1], -1, 1))


def slope(g, p):
    den = float(np.sum(g * g))
    return float(np.sum(g * p) / den) if den > 0 else None


def z_counts(g, p):
    sigma = g.std()  # population std, ddof=0
    d = np.abs(p - g)
    if sigma > 0:
        z = d / sigma
    else:
        z = np.where(d == 0, 0.0, np.inf)
    return np.array([np.sum(z <= 1), np.sum((z > 1) & (z <= 2)), np.sum((z > 2) & (z <= 3)), np.sum(z > 3)], dtype=np.int64)


def shares(c):
    c = np.asarray(c, dtype=np.float64)
    s = c / c.sum()
    return {'le1': s[0], 'le2': s[1], 'le3': s[2], 'gt3': s[3]}


def mean_or_none(values):
    ok = [v for v in values if v is not None]
    return float(np.mean(ok)) if ok else None


def evaluate(gt, pred, lines):
    h, w, k = gt.shape
    win = window_for(h, w)
    fam = {}
    scaled_ssim = []
    sg_all, sp_all = [], []
    pooled = np.zeros(4, dtype=np.int64)
    for j, line in enumerate(lines):
        g = gt[:, :, j].astype(np.float64)
        p = pred[:, :, j].astype(np.float64)
        mn, rng = reference_range(g, p)
        s = structural_similarity(g, p, data_range=rng, win_size=win)
        sg, sp = (g - mn) / rng, (p - mn) / rng
        scaled_ssim.append(structural_similarity(sg, sp, data_range=1.0, win_size=win))
        sg_all.append(sg.ravel())
        sp_all.append(sp.ravel())
        c = z_counts(g, p)
        pooled += c
        fam[line] = {'ssim': float(s), 'pearson': pearson(g, p), 'slope': slope(g, p), 'z': shares(c),
                     'dataRange': rng, 'sigma': float(g.std())}
    G, P = np.concatenate(sg_all), np.concatenate(sp_all)
    avg_z = {b: float(np.mean([fam[l]['z'][b] for l in lines])) for b in ('le1', 'le2', 'le3', 'gt3')}
    return {
        'height': h, 'width': w, 'ssimWindow': win, 'lines': lines, 'families': fam,
        'average': {'ssim': mean_or_none([fam[l]['ssim'] for l in lines]),
                    'pearson': mean_or_none([fam[l]['pearson'] for l in lines]),
                    'slope': mean_or_none([fam[l]['slope'] for l in lines]), 'z': avg_z},
        'total': {'ssim': float(np.mean(scaled_ssim)), 'pearson': pearson(G, P), 'slope': slope(G, P),
                  'z': shares(pooled)},
    }


def smooth_field(rng, h, w, scale):
    """A smooth positive 'painting-like' map: a few Gaussian blobs plus a base level."""
    yy, xx = np.mgrid[0:h, 0:w]
    f = np.zeros((h, w))
    for _ in range(4):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        s = rng.uniform(1.5, max(h, w) / 2)
        f += rng.uniform(0.3, 1.0) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s * s))
    return scale * f


def generate():
    """The fixture cases: flat maps, zeros, 7x7 and smaller, non-square, offsets, negatives, a 4-family stack."""
    rng = np.random.default_rng(20240611)
    cases = {}

    def noisy(g, rel=0.05, gain=1.0):
        return gain * g + rel * (np.abs(g).mean() + 1e-3) * rng.standard_normal(g.shape)

    g = rng.poisson(smooth_field(rng, 32, 24, 200.0)).astype(np.float64)
    cases['nonsquare_32x24'] = ([('Fe K', g, noisy(g, 0.1, 1.03))])
    g = rng.poisson(smooth_field(rng, 20, 20, 3.0)).astype(np.float64)  # mostly zeros
    p = np.maximum(noisy(g, 0.5, 0.9), 0)
    p[rng.random(p.shape) < 0.3] = 0
    cases['zeros_20x20'] = [('Zn K', g, p)]
    g = np.full((10, 12), 5.0)
    cases['flat_gt_10x12'] = [('S K', g, g + 0.2 * rng.standard_normal(g.shape))]
    z = np.zeros((9, 9))
    cases['flat_both_zero_9x9'] = [('K K', z, z.copy())]
    p = np.abs(rng.standard_normal((9, 11)))
    p[::3, ::2] = 0
    cases['flat_gt_zero_pred_nonzero_9x11'] = [('Cr K', np.zeros((9, 11)), p)]
    g = rng.uniform(0, 50, (7, 7))
    cases['exact_7x7'] = [('Cu K', g, noisy(g, 0.2))]
    g = rng.uniform(0, 50, (5, 6))
    cases['small_5x6'] = [('Sr K', g, noisy(g, 0.2))]
    g = rng.uniform(0, 50, (3, 9))
    cases['small_3x9'] = [('Au L', g, noisy(g, 0.2))]
    g = 1.0e4 + smooth_field(rng, 16, 16, 3.0)
    cases['offset_16x16'] = [('Ca K', g, g + 0.3 * rng.standard_normal(g.shape))]
    g = rng.standard_normal((12, 14)) * 3.0 - 1.0
    cases['negative_12x14'] = [('Hg L', g, noisy(g, 0.3, 1.1))]
    g = rng.poisson(smooth_field(rng, 15, 13, 80.0)).astype(np.float64)
    cases['identical_15x13'] = [('Mn K', g, g.copy())]
    # A 4-family stack (one painting): strong, weak/sparse, flat and offset families together.
    h, w = 18, 22
    fe = rng.poisson(smooth_field(rng, h, w, 500.0)).astype(np.float64)
    zn = rng.poisson(smooth_field(rng, h, w, 2.0)).astype(np.float64)
    sk = np.full((h, w), 1.5)
    ca = 2.0e3 + smooth_field(rng, h, w, 40.0)
    cases['stack_18x22'] = [
        ('Pb L', fe, noisy(fe, 0.05, 1.02)),
        ('Zn K', zn, np.maximum(noisy(zn, 0.6, 0.8), 0)),
        ('S K', sk, sk + 0.05 * rng.standard_normal(sk.shape)),
        ('Ca K', ca, noisy(ca, 0.01, 0.99)),
    ]
    os.makedirs(FIXTURES, exist_ok=True)
    for name, fams in cases.items():
        lines = [f[0] for f in fams]
        gt = np.stack([f[1] for f in fams], axis=-1).astype(np.float32)
        pr = np.stack([f[2] for f in fams], axis=-1).astype(np.float32)
        for role, arr in (('gt', gt), ('pred', pr)):
            np.save(os.path.join(FIXTURES, f'{name}.{role}.npy'), arr)
            with open(os.path.join(FIXTURES, f'{name}.{role}.json'), 'w') as fh:
                json.dump({'lines': lines}, fh)
                fh.write('\n')


def case_names():
    return sorted(f[:-len('.gt.npy')] for f in os.listdir(FIXTURES) if f.endswith('.gt.npy'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--generate', action='store_true', help='regenerate the fixture maps first')
    ap.add_argument('--out', default=os.path.join(FIXTURES, 'golden.json'))
    args = ap.parse_args()
    if args.generate:
        generate()
    out = {'generator': 'scripts/golden_metrics.py', 'skimage': skimage.__version__, 'numpy': np.__version__, 'cases': {}}
    for name in case_names():
        gt = np.load(os.path.join(FIXTURES, f'{name}.gt.npy'))
        pr = np.load(os.path.join(FIXTURES, f'{name}.pred.npy'))
        with open(os.path.join(FIXTURES, f'{name}.gt.json')) as fh:
            lines = json.load(fh)['lines']
        out['cases'][name] = evaluate(gt, pr, lines)

    def clean(o):
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        if isinstance(o, (np.floating, float)):
            return float(o)
        if isinstance(o, np.integer):
            return int(o)
        return o

    with open(args.out, 'w') as fh:
        json.dump(clean(out), fh, indent=1, sort_keys=True)
        fh.write('\n')
    print(f'wrote {args.out} ({len(out["cases"])} cases)', file=sys.stderr)


if __name__ == '__main__':
    main()
