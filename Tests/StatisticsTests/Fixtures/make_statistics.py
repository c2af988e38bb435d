#!/usr/bin/env python3
"""Expected values for StatisticsTests, computed with scipy 1.17 / numpy 2.4 (python3 make_statistics.py).

Each case records its inputs and what scipy (or a brute-force enumeration, where scipy is only
approximate) gives. Writes statistics.json beside this file.
- t quantiles: scipy.stats.t.ppf(p, df)
- paired: mean/sd with numpy (ddof=1); t interval d̄ ± t.ppf(0.975, n-1)·s/√n; Wilson intervals with
  scipy.stats.binomtest(k, n).proportion_ci(method="wilson"); Wilcoxon p: for m ≤ 20 the brute-force
  enumeration of all 2^m sign flips of the mid-ranks (exact conditional, ties and zeros handled as
  docs/design.md §5 says); for m ≤ 50 without ties or zeros scipy.stats.wilcoxon(method="exact");
  above 50 scipy.stats.wilcoxon(zero_method="wilcox", correction=False, method="approx");
  rank-biserial from scipy.stats.rankdata.
- welch: scipy.stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
- cronbach: k/(k-1)·(1 − Σ var_i / var_total), numpy, ddof=1
- holm: statsmodels 0.15 statsmodels.stats.multitest.multipletests(p, method="holm")[1] (own random
  stream, so the cases above keep their values)
"""
import itertools, json
from pathlib import Path
import numpy as np
from scipy import stats

rng = np.random.default_rng(20251123)
out = {"t_quantiles": [], "paired": [], "welch": [], "cronbach": [], "holm": []}

for df in [1, 2, 3, 5, 12.7, 13, 30, 49, 100, 1000, 2.5]:
    for p in [0.975, 0.9, 0.6]:
        out["t_quantiles"].append({"p": p, "df": df, "expected": float(stats.t.ppf(p, df))})


def brute_force_p(d):
    nz = [x for x in d if x != 0]
    m = len(nz)
    ranks = stats.rankdata(np.abs(nz))
    observed = sum(r for x, r in zip(nz, ranks) if x > 0)
    lower = upper = 0
    for signs in itertools.product([0, 1], repeat=m):
        w = sum(r for s, r in zip(signs, ranks) if s)
        lower += w <= observed + 1e-9
        upper += w >= observed - 1e-9
    return min(1.0, 2 * min(lower, upper) / 2 ** m)


def paired_case(name, before, after):
    before, after = np.asarray(before, float), np.asarray(after, float)
    d = after - before
    n = len(d)
    case = {"name": name, "before": before.tolist(), "after": after.tolist(), "n": n,
            "pre_mean": float(before.mean()), "post_mean": float(after.mean()), "shift": float(d.mean())}
    if n >= 2:
        s = float(d.std(ddof=1))
        half = float(stats.t.ppf(0.975, n - 1)) * s / np.sqrt(n)
        case["ci"] = [float(d.mean() - half), float(d.mean() + half)]
    improved, worsened = int((d > 0).sum()), int((d < 0).sum())
    for key, k in (("improved", improved), ("worsened", worsened)):
        ci = stats.binomtest(k, n).proportion_ci(method="wilson")
        case[key] = [k / n, float(ci.low), float(ci.high)]
    nz = d[d != 0]
    m = len(nz)
    case["m"] = m
    if m > 0:
        ranks = stats.rankdata(np.abs(nz))
        rp, rm = float(ranks[nz > 0].sum()), float(ranks[nz < 0].sum())
        case["effect_size"] = (rp - rm) / (rp + rm)
        if m <= 20:
            case["wilcoxon_p"], case["p_source"] = brute_force_p(d.tolist()), "brute force"
        elif m <= 50:
            assert len(set(np.abs(nz))) == m, "exact scipy needs no ties"
            case["wilcoxon_p"], case["p_source"] = float(stats.wilcoxon(nz, method="exact").pvalue), "scipy exact"
        else:
            r = stats.wilcoxon(d, zero_method="wilcox", correction=False, method="approx")
            case["wilcoxon_p"], case["p_source"] = float(r.pvalue), "scipy approx"
    out["paired"].append(case)


def likert(n, shift=0.0):
    b = rng.integers(1, 6, n)
    a = np.clip(b + rng.choice([-1, 0, 0, 1, 1, 2], n) + (rng.random(n) < shift), 1, 5)
    return b, a


paired_case("n=1", [2], [4])
paired_case("n=2", [2, 3], [4, 3])
paired_case("all zero differences", [3, 3, 4, 2, 5], [3, 3, 4, 2, 5])
for n in (13, 14):
    b, a = likert(n)
    paired_case(f"likert n={n}", b, a)
b = np.array([3] * 9 + [2] * 8)
a = np.array([4] * 9 + [3] * 6 + [2] * 2)
paired_case("heavy ties n=17", b, a)
paired_case("heavy ties with zeros n=20", [1, 2, 3, 3, 3, 3, 2, 2, 4, 4, 1, 5, 3, 3, 2, 2, 3, 4, 5, 1],
            [2, 2, 4, 4, 3, 3, 3, 2, 5, 4, 3, 5, 3, 4, 2, 3, 3, 5, 4, 2])
paired_case("composite means n=12", [2.5, 3, 3.5, 2, 4, 3.25, 2.75, 3, 3.5, 1.5, 2, 4.5],
            [3, 3.5, 3.5, 3, 4.25, 3.75, 2.75, 3.5, 4, 2.5, 2.25, 4.25])
cont = rng.normal(0.3, 1, 50)
paired_case("continuous n=50", np.zeros(50), np.round(cont, 6))
cont = rng.normal(-0.2, 1, 50)
paired_case("continuous n=50 negative", np.full(50, 3.0), 3 + np.round(cont, 6))
b = rng.integers(2, 4, 51)  # no zero difference, so m = 51 > 50: the normal approximation
paired_case("likert n=51, m=51", b, b + rng.choice([-1, 1, 1, 2], 51))
b, a = likert(500, 0.3)
paired_case("likert n=500", b, a)
b, a = likert(120, 0.0)
paired_case("likert n=120 ties", b, a)
paired_case("one non-zero", [3, 3, 3], [3, 4, 3])
for n in (15, 18):
    b, a = likert(n, 0.5)
    paired_case(f"likert shifted n={n}", b, a)
b = rng.integers(1, 6, 300)
paired_case("large no change n=300", b, b)

for na, nb in [(5, 7), (13, 14), (40, 25), (2, 2), (100, 80)]:
    a = rng.integers(1, 6, na).astype(float)
    bb = np.clip(rng.integers(1, 6, nb) + 0.4, 1, 5)
    r = stats.ttest_ind(bb, a, equal_var=False)
    ci = r.confidence_interval(0.95)
    out["welch"].append({"a": a.tolist(), "b": bb.tolist(), "difference": float(bb.mean() - a.mean()),
                         "ci": [float(ci.low), float(ci.high)], "df": float(r.df)})

for k, n in [(3, 20), (4, 60), (2, 10)]:
    base = rng.normal(3, 1, n)
    rows = np.clip(np.round(base[:, None] + rng.normal(0, 0.8, (n, k))), 1, 5)
    item_var = rows.var(axis=0, ddof=1).sum()
    total_var = rows.sum(axis=1).var(ddof=1)
    out["cronbach"].append({"rows": rows.tolist(), "alpha": float(k / (k - 1) * (1 - item_var / total_var))})

from statsmodels.stats.multitest import multipletests
hrng = np.random.default_rng(20261129)
families = [[0.01], [0.04, 0.01, 0.03], [0.01, 0.01, 0.5, 0.02], [0.2, 0.3, 0.9, 1.0], [0.001, 0.049, 0.02, 0.03, 0.5, 0.0004],
            [0.025, 0.3, 0.0001, 0.4, 0.006, 0.012, 0.011]]
families += [hrng.uniform(0, 0.1, n).tolist() for n in (5, 12, 54)]
families += [np.round(hrng.uniform(0, 0.2, 20), 2).tolist()]  # ties
for ps in families:
    out["holm"].append({"p": ps, "adjusted": multipletests(ps, method="holm")[1].tolist()})

Path(__file__).with_name("statistics.json").write_text(json.dumps(out, indent=1) + "\n")
print(len(out["paired"]), "paired cases")
