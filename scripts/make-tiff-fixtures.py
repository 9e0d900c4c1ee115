#!/usr/bin/python3
"""Writes the small compressed TIFF fixtures of test/io-png-tiff/tiff-compressed.test.ts with PIL's libtiff
(an independent encoder: LZW and the predictors as libtiff writes them), and beside each the expected
values as float32 .npy. Run: /usr/bin/python3 scripts/make-tiff-fixtures.py test/fixtures/tiff"""
import sys, os
import numpy as np
from PIL import Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
h, w = 13, 19
f = (rng.gamma(1.5, 300.0, (h, w))).astype(np.float32)
f[2, 3] = 0.0
u = rng.integers(0, 65535, (h, w), dtype=np.uint16)
u[5, :] = 1234  # a flat row: long LZW strings and repeats
cases = [
    ('f32_lzw_pred3', f, 'F', 'tiff_lzw', 3),
    ('f32_lzw', f, 'F', 'tiff_lzw', None),
    ('u16_lzw_pred2', u, 'I;16', 'tiff_lzw', 2),
    ('f32_deflate_pred3', f, 'F', 'tiff_adobe_deflate', 3),
    ('u16_packbits', u, 'I;16', 'packbits', None),
]
for name, arr, mode, comp, pred in cases:
    kw = {'compression': comp}
    if pred:
        kw['tiffinfo'] = {317: pred}
    Image.fromarray(arr, mode=mode).save(os.path.join(out, name + '.tif'), format='TIFF', **kw)
    back = np.array(Image.open(os.path.join(out, name + '.tif')))
    assert np.array_equal(back, arr), name
    np.save(os.path.join(out, name + '.npy'), arr.astype(np.float32))
    print(name, os.path.getsize(os.path.join(out, name + '.tif')), 'bytes')
