#!/usr/bin/python3
"""Independent check of the simulator: fit simulated paintings with PyMca's fast linear fit and compare
its maps with the simulator's ground truth (Pearson r and least-squares slope per line family).

    /usr/bin/python3 scripts/check_sim_with_pymca.py SIM_DIR [--painting NAME ...] [--json OUT.json]
                                                    [--pymca-output DIR]

SIM_DIR is a folder written by `xrfmaps simulate` (it holds manifest.json). The PyMca configuration
mirrors the simulator: detector zero/gain from the manifest, FWHM 145 eV at Mn Ka with Fano 0.114
(xrfmaps physics/detector.ts), Si escape peaks, 8 um Be window, 450 um Si crystal, 1 cm of air, Gaussian
peaks, SNIP background, fit range 1.5-17.5 keV (below the Rh tube's scatter peaks). The fitted elements
are the targets plus the distractors the simulator paints (Ti, Co, As, Ba, Ar, Si, P, Ag).

--pymca-output DIR also saves PyMca's own batch output (IMAGES/<entry>.csv and per-family .edf) there,
so its file and column naming can be compared with what the simulator writes.

Needs Debian's python3-pymca5 and numpy (run with /usr/bin/python3). Exit code 0 on success, 2 when
PyMca is missing.
"""
import argparse
import json
import os
import sys

import numpy as np

try:
    from PyMca5.PyMcaPhysics.xrf import ClassMcaTheory, FastXRFLinearFit
    from PyMca5.PyMcaIO.OutputBuffer import OutputBuffer
except ImportError as e:  # pragma: no cover
    print(f"PyMca5 is not available: {e}", file=sys.stderr)
    sys.exit(2)

# Detector of xrfmaps physics/detector.ts: FWHM(E)^2 = noise^2 + 2.3548^2 F eps E.
FWHM_MN = 0.145
FANO = 0.114
EPS = 0.00385
NOISE = float(np.sqrt(FWHM_MN ** 2 - 2.3548 ** 2 * FANO * EPS * 5.899))

# Elements and the families PyMca should fit (targets + distractors the simulator paints).
PEAKS = {
    "Si": "K", "P": "K", "S": "K", "Ar": "K", "K": "K", "Ca": "K", "Ti": "K", "Cr": "K", "Mn": "K",
    "Fe": "K", "Co": "K", "Cu": "K", "Zn": "K", "As": "K", "Sr": "K", "Ag": "L", "Ba": "L",
    "Au": ["L", "M"], "Hg": ["L", "M"], "Pb": ["L", "M"],
}


def pymca_config(cal, channels):
    cfg = ClassMcaTheory.McaTheory().config
    gain = cal["gainKeV"]
    zero = cal["offsetKeV"]
    cfg["detector"].update({
        "zero": zero, "gain": gain, "noise": NOISE, "fano": FANO,
        "fixedzero": 1, "fixedgain": 1, "fixednoise": 1, "fixedfano": 1, "sum": 0.0, "fixedsum": 1,
        "detele": "Si", "detene": 1.74,
    })
    to_ch = lambda e: int(round((e - zero) / gain))
    cfg["fit"].update({
        "xmin": to_ch(1.5), "xmax": min(channels - 1, to_ch(17.5)),
        "linearfitflag": 1, "hypermetflag": 1,  # Gaussian peaks only, as simulated
        "escapeflag": 1, "sumflag": 0, "scatterflag": 0,
        "stripflag": 1, "stripalgorithm": 1, "snipwidth": max(10, int(round(0.8 / gain))),
        "stripiterations": 20000, "stripwidth": 1, "stripfilterwidth": 1,
        "continuum": 0, "fitweight": 0,
        # Rh Ka excitation: sets PyMca's L/M sub-shell weighting, close to the simulator's 20 keV reference.
        "energy": [20.216], "energyweight": [1.0], "energyflag": [1], "energyscatter": [0],
    })
    att = cfg["attenuators"]
    att["atmosphere"] = [1, "Air", 0.0012048, 1.0]
    att["window"] = [1, "Be1", 1.848, 0.0008]
    att["Detector"] = [1, "Si1", 2.33, 0.045]
    att["Matrix"] = [0, "MULTILAYER", 0.0, 0.0, 90.0, 45.0]
    cfg["peaks"] = dict(PEAKS)
    return cfg


def load_scan(sim_dir, p):
    scan = p["scan"]
    h, w, c = p["height"], p["width"], p["channels"]
    if scan["format"] == "rpl":
        return np.fromfile(os.path.join(sim_dir, scan["data"]), dtype="<u2").reshape(h, w, c)
    if scan["format"] == "npy":
        return np.load(os.path.join(sim_dir, scan["path"]))
    import h5py
    with h5py.File(os.path.join(sim_dir, scan["path"]), "r") as f:
        return f[scan.get("dataset", "/entry/data/counts")][()]


def check_painting(sim_dir, p, pymca_output=None):
    data = load_scan(sim_dir, p).astype(np.float64)
    truth = np.load(os.path.join(sim_dir, p["groundTruth"]["npy"]))
    cfg = pymca_config(p["calibration"], p["channels"])
    fit = FastXRFLinearFit.FastXRFLinearFit()
    fit.setFitConfiguration(cfg)
    kw = {}
    if pymca_output:
        kw = dict(outputDir=pymca_output, fileEntry=p["name"], csv=True, edf=True, tif=False, h5=False, multipage=False)
    out = fit.fitMultipleSpectra(y=data, weight=0, refit=1, concentrations=0, save=bool(pymca_output), **kw)
    names = list(out.labels("parameters"))
    params = out["parameters"]
    result = {"painting": p["name"], "lines": {}}
    for j, line in enumerate(p["lines"]):
        gt = truth[:, :, j].ravel()
        if line not in names:
            result["lines"][line] = {"note": "not fitted by PyMca"}
            continue
        fitted = np.asarray(params[names.index(line)]).ravel()
        mean_gt = float(gt.mean())
        entry = {"meanTruth": mean_gt, "meanPyMca": float(fitted.mean())}
        if gt.std() > 0 and fitted.std() > 0:
            entry["pearson"] = float(np.corrcoef(gt, fitted)[0, 1])
            entry["slope"] = float((gt @ fitted) / (gt @ gt))
        result["lines"][line] = entry
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sim_dir")
    ap.add_argument("--painting", action="append", help="only these paintings (repeatable)")
    ap.add_argument("--json", help="write the results here as JSON")
    ap.add_argument("--pymca-output", help="also save PyMca's own batch output (IMAGES/...) under this folder")
    ap.add_argument("--major", type=float, default=20.0,
                    help="a line is 'major' in a painting when its mean ground truth is at least this many counts (default 20)")
    a = ap.parse_args()
    manifest = json.load(open(os.path.join(a.sim_dir, "manifest.json")))
    results = []
    for p in manifest["paintings"]:
        if a.painting and p["name"] not in a.painting:
            continue
        r = check_painting(a.sim_dir, p, a.pymca_output)
        results.append(r)
        print(f"{p['name']} ({p['height']}x{p['width']}x{p['channels']}, {p['dwellMs']} ms):")
        for line, e in r["lines"].items():
            if "pearson" in e:
                tag = "major" if e["meanTruth"] >= a.major else "minor"
                e["major"] = tag == "major"
                print(f"  {line:5s} {tag}  r = {e['pearson']:.4f}  slope = {e['slope']:.3f}  mean truth {e['meanTruth']:.1f}  mean PyMca {e['meanPyMca']:.1f}")
            else:
                print(f"  {line:5s} {e.get('note', 'absent (zero truth)')}  mean PyMca {e.get('meanPyMca', 0):.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"sim_dir": os.path.abspath(a.sim_dir), "results": results}, f, indent=1)
    if a.pymca_output:
        for root, _, files in os.walk(a.pymca_output):
            for fn in sorted(files):
                print("pymca wrote", os.path.relpath(os.path.join(root, fn), a.pymca_output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
