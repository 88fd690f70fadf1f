#!/usr/bin/python3
"""Summarise the energy bookkeeping of a run recorded with [observe] energy_flow = true.

    check_energy_flow.py RUN.h5 [--json]

Prints, per sector (input m = 1, bulk 1 < m < M, output m = M), the largest continuity
residual relative to the largest term of the balance in that sector; how well the site
energies sum to E + C0 (relative to max|E| and to the largest site energy); and, if
recorded, how well L_bulk + L_boundary equals L of Eq. 5. docs/bbd.md quotes its output.

Field runs (root attribute solver = "field", docs/field-limit.md section 6): the largest
site and depth-interval residuals relative to the largest term of their balances, and how
well the site energies sum to E (no constant: the field book has no time integrals).
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import h5py
    import numpy as np
    try:
        f = h5py.File(args.run, "r")
    except OSError as e:
        print(f"check_energy_flow.py: error: {args.run}: cannot open ({e})", file=sys.stderr)
        sys.exit(1)
    with f:
        if "energy/continuity_residual" not in f:
            print(f"check_energy_flow.py: error: {args.run}: no /energy/continuity_residual "
                  "(run with [observe] energy_flow = true)", file=sys.stderr)
            sys.exit(1)
        if f.attrs.get("solver") == "field":
            out = field_summary(f, np)
        else:
            out = network_summary(f, np)
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:28s} {v:.1e}")


def field_summary(f, np):
    e = f["energy"]
    site = np.abs(e["continuity_residual"][...])
    terms = np.maximum(np.abs(e["rate"][...]), np.abs(e["flux"][...]))
    interval = np.abs(e["interval_residual"][...])
    flux_sum = np.abs(e["flux"][...].sum(axis=2))
    power = np.abs(e["exchange"][...].sum(axis=(2, 3)))
    interval_terms = max(flux_sum.max(), power.max(), 1e-300)
    E = e["total"][...]
    gap = np.abs(e["density"][...].sum(axis=(1, 2)) - E)
    return {"residual_sites": float(site.max() / max(terms.max(), 1e-300)),
            "residual_intervals": float(interval.max() / interval_terms),
            "site_sum_vs_E": float(gap.max() / np.abs(E).max())}


def network_summary(f, np):
    res = np.abs(f["energy/continuity_residual"][...])
    terms = np.maximum(np.abs(f["energy/current"][...]).max(axis=3), np.abs(f["energy/rate"][...]))
    M = res.shape[1]
    sectors = {"input": slice(0, 1), "bulk": slice(1, max(1, M - 1)), "output": slice(M - 1, M)}
    out = {}
    for name, sl in sectors.items():
        if res[:, sl].size:
            out[f"residual_{name}"] = float(res[:, sl].max() / max(terms[:, sl].max(), 1e-300))
    E = f["energy/total"][...]
    dens = f["energy/density"][...]
    T = min(len(E), len(dens))
    gap = np.abs(dens[:T].sum(axis=(1, 2)) - E[:T] - float(f.attrs["bbd_C0"]))
    out["site_sum_vs_E"] = float(gap.max() / np.abs(E).max())
    out["site_sum_vs_largest_site"] = float(gap.max() / np.abs(dens).max())
    if "lagrangian/total" in f:
        L = f["lagrangian"]
        out["lagrangian_split"] = float(np.abs(L["bulk"][...] + L["boundary"][...] - L["total"][...]).max()
                                        / np.abs(L["total"][...]).max())
    return out


if __name__ == "__main__":
    main()
