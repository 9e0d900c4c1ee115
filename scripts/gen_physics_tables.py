#!/usr/bin/python3
"""Generate the committed X-ray data tables of src/core/physics from xraylib.

Run with the Debian interpreter (apt package python3-xraylib):

    /usr/bin/python3 scripts/gen_physics_tables.py

Writes
  src/core/physics/data/lines.json  K, L and M line families (energies, relative rates), Z = 11..92
  src/core/physics/data/xs.json     cross sections on a log energy grid, Z = 1..92 (float32, base64)
  src/core/physics/data/si-detector.json  silicon attenuation and K-shell data for the escape-peak model
  test/physics/golden/xraylib-golden.json  a few raw xraylib values the tests check the tables against

The tables are data, not code: the TypeScript side only reads them, so the test suite never needs
python. Re-run this script after changing it and commit the outputs.
"""
import base64
import json
import math
import os
import re
import sys

import numpy as np
import xraylib as xl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, 'src', 'core', 'physics', 'data')
GOLDEN = os.path.join(ROOT, 'test', 'physics', 'golden')

LINE_Z = range(11, 93)
XS_Z = range(1, 93)
# A family's line is kept when it carries at least this share of the family's intensity; the kept
# lines are renormalized to sum 1. Dropped lines together carry well under 1 % (reported below).
MIN_RATE = 1e-4
# Relative intensities of a family's lines depend on which sub-shells are ionized (L1/L2/L3, M1..M5)
# and on Coster-Kronig and K->L cascades, hence on the exciting energy. We weight them as they are
# produced by monochromatic excitation at REF_KEV (a representative energy for a Rh tube at 40-50 kV),
# or at 1.1x the family's deepest edge when that edge lies above REF_KEV (so all sub-shells are ionized).
REF_KEV = 20.0
REF_EDGE_MARGIN = 1.1

GRID_MIN_KEV = 1.0
GRID_MAX_KEV = 60.0
GRID_POINTS = 150
# Points placed either side of every absorption edge, so log-log interpolation never smooths a jump.
EDGE_EPS_KEV = 1e-4

FAMILY_SHELLS = {
    'K': ['K'],
    'L': ['L1', 'L2', 'L3'],
    'M': ['M1', 'M2', 'M3', 'M4', 'M5'],
}
SHELL_MACRO = {s: getattr(xl, s + '_SHELL') for s in ['K', 'L1', 'L2', 'L3', 'M1', 'M2', 'M3', 'M4', 'M5']}

# Single IUPAC transitions ("KL3", "L3M5", "M5N7"); combined macros such as L1N67 or KO are skipped.
IUPAC_RE = re.compile(r'^(K|L[123]|M[1-5])([K-Q][1-7])_LINE$')
# Siegbahn names that xraylib aliases to single IUPAC lines (KA1 == KL3 ...); composites (KA, LB) are >= 0.
SIEGBAHN_RE = re.compile(r'^([KLM][A-Z]\d*)_LINE$')


def iupac_lines():
    out = {f: [] for f in FAMILY_SHELLS}
    for name in dir(xl):
        m = IUPAC_RE.match(name)
        if not m:
            continue
        shell = m.group(1)
        family = shell[0]
        out[family].append((name[:-5], getattr(xl, name)))
    for f in out:
        out[f].sort(key=lambda t: -t[1])  # xraylib's own order (macros are negative, KL1 = -1 ...)
    return out


def siegbahn_names(iupac):
    iupac_values = {v for fam in iupac.values() for _, v in fam}
    names = {}
    for name in dir(xl):
        m = SIEGBAHN_RE.match(name)
        if not m or IUPAC_RE.match(name):
            continue
        v = getattr(xl, name)
        if v < 0 and v in iupac_values:
            names.setdefault(v, m.group(1))
    return names


def safe(fn, *args):
    try:
        v = fn(*args)
        return v if math.isfinite(v) else 0.0
    except ValueError:
        return 0.0


def family_ref_energy(z, family):
    deepest = max(safe(xl.EdgeEnergy, z, SHELL_MACRO[s]) for s in FAMILY_SHELLS[family])
    return max(REF_KEV, math.ceil(REF_EDGE_MARGIN * deepest * 10) / 10)


def build_lines():
    iupac = iupac_lines()
    sieg = siegbahn_names(iupac)
    elements = {}
    worst_dropped = 0.0
    for z in LINE_Z:
        sym = xl.AtomicNumberToSymbol(z)
        fams = {}
        for family, lines in iupac.items():
            if family == 'M' and z < 57:
                continue
            e_ref = family_ref_energy(z, family)
            raw = []
            for name, macro in lines:
                energy = safe(xl.LineEnergy, z, macro)
                cs = safe(xl.CS_FluorLine_Kissel_Cascade, z, macro, e_ref)
                if energy > 0 and cs > 0:
                    raw.append((sieg.get(macro, name), name, energy, cs))
            total = sum(r[3] for r in raw)
            if total <= 0:
                continue
            kept = [r for r in raw if r[3] / total >= MIN_RATE]
            kept_total = sum(r[3] for r in kept)
            worst_dropped = max(worst_dropped, 1 - kept_total / total)
            fams[family] = {
                'refKeV': e_ref,
                'lines': [[lab, iu, round(e, 5), float(f'{cs / kept_total:.5g}')] for lab, iu, e, cs in kept],
            }
        elements[sym] = {'Z': z, **fams}
    print(f'lines: largest intensity share dropped by MIN_RATE in any family: {worst_dropped:.2e}', file=sys.stderr)
    return {
        'source': f'xraylib {xl.__version__}: LineEnergy; rates from CS_FluorLine_Kissel_Cascade',
        'rates': (
            'Relative intensity of each line within its family (sum 1), weighted as the lines are produced '
            f'by monochromatic excitation at refKeV = max({REF_KEV} keV, {REF_EDGE_MARGIN} x the family\'s deepest '
            'edge), i.e. xraylib CS_FluorLine_Kissel_Cascade(Z, line, refKeV), including Coster-Kronig '
            f'and cascade effects. Lines below {MIN_RATE:g} of the family are dropped and the rest renormalized.'
        ),
        'columns': ['label (Siegbahn when one exists, else IUPAC)', 'IUPAC', 'energyKeV', 'rate'],
        'elements': elements,
    }


def photo_jump(z, e):
    """Where CS_Photo actually jumps near the tabulated edge energy e. xraylib's photoionization
    tables place some jumps slightly off EdgeEnergy (Pb L3: EdgeEnergy 13.0352 keV, jump at 13.035;
    Ho M5: 1.3514 vs ~1.3505), so the largest step between 0.5 eV samples within +-20 eV is located and
    then narrowed by bisection. Returns (below, above) or None when there is no clear step."""
    xs = np.arange(e - 0.02, e + 0.02 + 1e-9, 0.0005)
    f = np.array([safe(xl.CS_Photo, z, float(v)) for v in xs])
    if np.any(f <= 0):
        return None
    ratio = f[1:] / f[:-1]
    i = int(np.argmax(ratio))
    if ratio[i] < 1.01:
        return None
    lo, hi = float(xs[i]), float(xs[i + 1])
    threshold = math.sqrt(f[i] * f[i + 1])
    while hi - lo > 2e-7:
        mid = (lo + hi) / 2
        if safe(xl.CS_Photo, z, mid) > threshold:
            hi = mid
        else:
            lo = mid
    return lo, hi


# Extra points above each edge (relative offsets), where xraylib's cross sections are furthest from a
# power law (delayed M-edge maxima, near-edge structure of the tabulated data).
POST_EDGE = [0.002, 0.005, 0.01, 0.02, 0.04]


def energy_grid_for(z):
    base = np.geomspace(GRID_MIN_KEV, GRID_MAX_KEV, GRID_POINTS)
    extra = []
    for s, macro in SHELL_MACRO.items():
        e = safe(xl.EdgeEnergy, z, macro)
        if GRID_MIN_KEV < e < GRID_MAX_KEV:
            # EdgeEnergy is where xraylib's line production switches on ...
            extra += [e - EDGE_EPS_KEV, e + EDGE_EPS_KEV]
            # ... and the photoabsorption jump may sit a little apart from it.
            jump = photo_jump(z, e)
            if jump and abs(jump[0] - e) > 1e-5:
                extra += [jump[0] - 5e-6, jump[1] + 5e-6]
            top = max(e, jump[1] if jump else e)
            extra += [top * (1 + k) for k in POST_EDGE]
    grid = np.concatenate([base, extra])
    grid = grid[(grid >= GRID_MIN_KEV) & (grid <= GRID_MAX_KEV)]
    # Energies are stored as float32: deduplicate at that precision and tabulate at the stored values.
    return np.unique(grid.astype('<f4')).astype(float)


def b64f32(values):
    return base64.b64encode(np.asarray(values, dtype='<f4').tobytes()).decode('ascii')


def build_xs(lines_table):
    iupac = iupac_lines()
    elements = []
    for z in XS_Z:
        grid = energy_grid_for(z)
        rec = {
            'Z': z,
            'symbol': xl.AtomicNumberToSymbol(z),
            'atomicWeight': round(xl.AtomicWeight(z), 4),
            'density': round(safe(xl.ElementDensity, z), 5),
            'energies': b64f32(grid),
            'total': b64f32([safe(xl.CS_Total, z, e) for e in grid]),
            'photo': b64f32([safe(xl.CS_Photo, z, e) for e in grid]),
            'rayleigh': b64f32([safe(xl.CS_Rayl, z, e) for e in grid]),
            'compton': b64f32([safe(xl.CS_Compt, z, e) for e in grid]),
            'edges': {s: round(safe(xl.EdgeEnergy, z, m), 5) for s, m in SHELL_MACRO.items() if safe(xl.EdgeEnergy, z, m) > 0},
            'fluorYield': {s: round(safe(xl.FluorYield, z, m), 5) for s, m in SHELL_MACRO.items() if safe(xl.FluorYield, z, m) > 0},
            'jumpFactor': {s: round(safe(xl.JumpFactor, z, m), 5) for s, m in SHELL_MACRO.items() if safe(xl.JumpFactor, z, m) > 0},
        }
        sym = rec['symbol']
        production = {}
        for family, flines in iupac.items():
            if sym not in lines_table['elements'] or family not in lines_table['elements'][sym]:
                continue
            # Sum over all of the family's xraylib lines (also the tiny ones the line table drops).
            prod = [sum(safe(xl.CS_FluorLine_Kissel_Cascade, z, m, e) for _, m in flines) for e in grid]
            production[family] = b64f32(prod)
        rec['production'] = production
        elements.append(rec)
    return {
        'source': f'xraylib {xl.__version__}: CS_Total, CS_Photo, CS_Rayl, CS_Compt, '
                  'sum of CS_FluorLine_Kissel_Cascade over a family\'s lines; EdgeEnergy, FluorYield, JumpFactor',
        'units': 'energies keV; cross sections cm2/g; density g/cm3; float32 little-endian arrays in base64',
        'grid': f'{GRID_POINTS} log-spaced points {GRID_MIN_KEV}-{GRID_MAX_KEV} keV plus, for every K/L/M edge '
                f'of the element in range, points {EDGE_EPS_KEV} keV either side of EdgeEnergy, either side of '
                f'the photoabsorption jump where it differs, and at relative offsets {POST_EDGE} above it',
        'elements': elements,
    }


def build_si_detector():
    """Silicon data for the detector's escape-peak model (kept apart from xs.json so the webview bundle,
    which needs pure spectra but not the full cross-section table, stays small)."""
    z = 14
    grid = energy_grid_for(z)
    return {
        'source': f'xraylib {xl.__version__}: Si CS_Total, CS_Photo, FluorYield(K), JumpFactor(K), EdgeEnergy(K), LineEnergy(KL3)',
        'edgeKKeV': xl.EdgeEnergy(z, xl.K_SHELL),
        'kaKeV': round(xl.LineEnergy(z, xl.KL3_LINE), 4),
        'fluorYieldK': xl.FluorYield(z, xl.K_SHELL),
        'jumpFactorK': xl.JumpFactor(z, xl.K_SHELL),
        'energies': [float(f'{e:.6g}') for e in grid],
        'total': [float(f'{xl.CS_Total(z, e):.5g}') for e in grid],
        'photo': [float(f'{xl.CS_Photo(z, e):.5g}') for e in grid],
    }


def build_golden():
    """Raw xraylib values for the cross-check tests (Fe K, Ca K, S K, Pb L) and off-grid attenuation."""
    picks = {'Fe': ('K', 26), 'Ca': ('K', 20), 'S': ('K', 16), 'Pb': ('L', 82)}
    lines = {}
    for sym, (fam, z) in picks.items():
        ref = family_ref_energy(z, fam)
        vals = {}
        for name, macro in [('KA1', xl.KL3_LINE), ('KA2', xl.KL2_LINE), ('KB1', xl.KM3_LINE)] if fam == 'K' else \
                [('LA1', xl.L3M5_LINE), ('LB1', xl.L2M4_LINE), ('LB2', xl.L3N5_LINE), ('LG1', xl.L2N4_LINE)]:
            vals[name] = {'energyKeV': xl.LineEnergy(z, macro), 'csAtRef': safe(xl.CS_FluorLine_Kissel_Cascade, z, macro, ref)}
        lines[f'{sym} {fam}'] = {'refKeV': ref, 'lines': vals}
    off_grid = []
    for z in [1, 6, 8, 14, 20, 26, 29, 47, 82, 92]:
        for e in [1.37, 2.71, 5.03, 8.33, 13.7, 17.9, 33.3, 51.1]:
            off_grid.append({'Z': z, 'E': e, 'total': xl.CS_Total(z, e), 'photo': xl.CS_Photo(z, e),
                             'rayleigh': xl.CS_Rayl(z, e), 'compton': xl.CS_Compt(z, e)})
    prod = []
    for z, fam, e in [(26, 'K', 17.44), (29, 'K', 33.3), (82, 'L', 17.44), (82, 'L', 33.3), (82, 'M', 17.44)]:
        iu = iupac_lines()[fam]
        prod.append({'Z': z, 'family': fam, 'E': e,
                     'cs': sum(safe(xl.CS_FluorLine_Kissel_Cascade, z, m, e) for _, m in iu)})
    return {'source': f'xraylib {xl.__version__}', 'lines': lines, 'attenuation': off_grid, 'production': prod}


def main():
    os.makedirs(DATA, exist_ok=True)
    os.makedirs(GOLDEN, exist_ok=True)
    lines = build_lines()
    with open(os.path.join(DATA, 'lines.json'), 'w') as f:
        json.dump(lines, f, separators=(',', ':'))
    xs = build_xs(lines)
    with open(os.path.join(DATA, 'xs.json'), 'w') as f:
        json.dump(xs, f, separators=(',', ':'))
    with open(os.path.join(DATA, 'si-detector.json'), 'w') as f:
        json.dump(build_si_detector(), f, separators=(',', ':'))
    with open(os.path.join(GOLDEN, 'xraylib-golden.json'), 'w') as f:
        json.dump(build_golden(), f, indent=1)
    for name in ['lines.json', 'xs.json', 'si-detector.json']:
        print(name, os.path.getsize(os.path.join(DATA, name)), 'bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
