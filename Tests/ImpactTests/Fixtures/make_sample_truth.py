#!/usr/bin/env python3
"""Expected values for SampleTruthTests: the new figures of the bundled sample, recomputed from
inputs/ with pandas 3.1, scipy 1.17 and statsmodels 0.15 (python3 make_sample_truth.py), never from
the tool's outputs. Writes sample_truth.json beside this file.

Rules recomputed (each as the README states it):
- alpha: Cronbach's alpha per dimension on one wave — advisers' "Avant" answers, industrial staff's
  "Avant —" column — complete cases, reverse-coded items flipped (numpy, ddof=1);
- holm: statsmodels.stats.multitest.multipletests(p, method="holm") within each family (one
  stakeholder type and design, all territories, the dimensions or the items); the raw p-values are the
  two-sided Wilcoxon signed-rank test on the non-zero differences: scipy.stats.wilcoxon(method="approx",
  correction=False) above 50, the exact conditional distribution of the mid-ranks (enumerated here
  with exact fractions) up to 50;
- response_rate: persons of a type on the attendance sheets (CSV + XML, valid actions and profiles),
  and among them those with at least one before/after pair;
- baseline: "before" mean of paired advisers against advisers who answered only before, per
  dimension: scipy.stats.ttest_ind(paired, before_only, equal_var=False) and its confidence_interval;
- retention / durable share: counts from the hiring log, scipy.stats.binomtest(k, n).proportion_ci("wilson");
- formats: mean shift and Student interval (scipy.stats.t) of a dimension among respondents found on
  the sheets of an action type, or of a number of actions.
"""
import json, sys, xml.etree.ElementTree as ET
from datetime import date
from fractions import Fraction
from pathlib import Path
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

ROOT = Path(__file__).resolve().parents[3]
IN = ROOT / "inputs"
LABELS = {"Pas du tout d'accord": 1, "Plutôt pas d'accord": 2, "Ni d'accord ni pas d'accord": 3, "Plutôt d'accord": 4, "Tout à fait d'accord": 5}
TERRITORY = {"Lyon": "lyon", "Saint-Étienne": "saint_etienne"}

# Actions accepted: the journal's rows less the four bad ones (unknown territory, impossible,
# month-first date, non-numeric count) and the duplicate.
actions = pd.read_csv(IN / "actions_declic_2024-2025.csv", sep=";", encoding="cp1252", skiprows=1, dtype=str, keep_default_na=False)
bad = {"GRE-2501", "LYO-2599", "STE-2599", "STE-2598"}
actions = actions[~actions["N° action"].isin(bad)].drop_duplicates("N° action")
action_type = dict(zip(actions["N° action"], actions["Type d'action"]))

# Attendance: the form's CSV and the second tool's XML; profiles as the pipeline file and the built-in vocabulary map them.
INDUSTRIAL = {"Entreprise industrielle", "Collaborateur industriel", "Industriel"}
ADVISER = {"Chargé d'insertion SIAE", "Conseiller France Travail", "Conseillère France Travail", "Conseiller emploi",
           "Mission Locale", "Organisme de formation"}
sheet = pd.read_csv(IN / "emargements_declic_2024-2025.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
lines = [(r["Code action"], r["E-mail"], r["Profil"]) for _, r in sheet.iterrows()]
ns = {"p": "urn:exemple:presences:1.0"}
for seance in ET.parse(IN / "presences_saint-etienne_2024-2025.xml").getroot().findall("p:Seance", ns):
    for p in seance.findall("p:Participant", ns):
        lines.append((seance.get("code"), p.find("p:Courriel", ns).text or "", p.find("p:Profil", ns).text))
listed = {}  # (type, territory) → {email: set(actions)}
for code, email, profile in lines:
    kind = "industriel" if profile in INDUSTRIAL else "prescripteur" if profile in ADVISER else None
    if code not in action_type or not email or kind is None:
        continue
    territory = "lyon" if code.startswith("LYO") else "saint_etienne"
    listed.setdefault((kind, territory), {}).setdefault(email.lower(), set()).add(code)


def on_sheets(kind, email, territory=None):
    keys = [territory] if territory else ["lyon", "saint_etienne"]
    return set().union(*(listed.get((kind, t), {}).get(email, set()) for t in keys))


def composite(before, after, items):
    """Mean of the items answered at both times, when at least half (rounded up) are."""
    both = [i for i in items if not pd.isna(before[i]) and not pd.isna(after[i])]
    if not both or 2 * len(both) < len(items):
        return None
    return Fraction(sum(int(before[i]) for i in both), len(both)), Fraction(sum(int(after[i]) for i in both), len(both))


def wilcoxon_p(differences):
    nz = [d for d in differences if d != 0]
    m = len(nz)
    ranks = stats.rankdata([abs(float(d)) for d in nz])
    if m > 50:
        return float(stats.wilcoxon([float(d) for d in nz], zero_method="wilcox", correction=False, method="approx").pvalue)
    doubled = [int(round(2 * r)) for r in ranks]
    counts = {0: 1}
    for r in doubled:
        nxt = dict(counts)
        for s, c in counts.items():
            nxt[s + r] = nxt.get(s + r, 0) + c
        counts = nxt
    observed = int(round(2 * sum(r for d, r in zip(nz, ranks) if d > 0)))
    total = sum(counts.values())
    lower = sum(c for s, c in counts.items() if s <= observed)
    upper = sum(c for s, c in counts.items() if s >= observed)
    return min(1.0, 2 * min(lower, upper) / total)


def alpha(rows):
    rows = rows.dropna().astype(float)
    k = rows.shape[1]
    return float(k / (k - 1) * (1 - rows.var(ddof=1).sum() / rows.sum(axis=1).var(ddof=1))), len(rows)


out = {"alpha": [], "holm": [], "response_rate": [], "baseline": [], "shares": [], "formats": []}

# Advisers: before/after, the latest answer per respondent and wave; rows with an off-scale answer or an unknown wave rejected.
ADV = {"attractivite": ["diversite_metiers", "perspectives", "salaires"], "conditions": ["acces_sites", "horaires"],
       "connaissance": ["connaissance_metiers", "orienter"]}
ITEMS = ["diversite_metiers", "perspectives", "salaires", "acces_sites", "horaires", "connaissance_metiers", "orienter"]
q = pd.read_csv(IN / "questionnaire_conseillers_2024-2025.csv", dtype=str, keep_default_na=False)
q = q[q["Vague"].isin(["Avant", "Après"])]
answers = q.columns[4:11]
q = q[~q[answers].apply(lambda c: ~c.isin(list(LABELS) + ["", "NSP"])).any(axis=1)].copy()
for column, item in zip(answers, ITEMS):
    q[item] = q[column].map(LABELS)
q["acces_sites"] = 6 - q["acces_sites"]
q["key"] = q["Adresse e-mail"].str.lower()
q["day"] = pd.to_datetime(q["Horodateur"].str[:10], format="%d/%m/%Y")
q["order"] = range(len(q))
q = q.sort_values(["day", "order"]).groupby(["key", "Vague"]).tail(1)
pre, post = q[q.Vague == "Avant"].set_index("key"), q[q.Vague == "Après"].set_index("key")
for dimension, items in ADV.items():
    a, n = alpha(pre[items])
    out["alpha"].append({"type": "prescripteur", "design": "prospective", "dimension": dimension, "alpha": a, "n": n})

# Industrial staff: one retrospective questionnaire (SpreadsheetML), the latest resubmission kept.
FIRM = {"regard_candidats": ["motivation", "competences"], "freins": ["mobilite_frein", "langue_frein"], "reseau": ["prescripteurs_contact"]}
FIRM_ITEMS = ["motivation", "competences", "mobilite_frein", "langue_frein", "prescripteurs_contact"]
SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
table = []
for row in ET.parse(IN / "questionnaire_industriels_2024-2025.xml").getroot().iter(SS + "Row"):
    values, i = {}, 0
    for cell in row.findall(SS + "Cell"):
        i = int(cell.get(SS + "Index", i + 1)) - 1
        values[i] = cell.find(SS + "Data").text
        i += 1
    table.append(values)
firms = pd.DataFrame([[r.get(i) for i in range(len(table[0]))] for r in table[1:]], columns=[table[0][i] for i in range(len(table[0]))])
firms["key"] = firms["Courriel"].str.lower()
firms["order"] = range(len(firms))
firms["day"] = pd.to_datetime(firms["Date"].str[:10])
firms = firms.sort_values(["day", "order"]).groupby("key").tail(1).set_index("key")
fb, fa = pd.DataFrame(index=firms.index), pd.DataFrame(index=firms.index)
for k, item in enumerate(FIRM_ITEMS):
    fb[item] = pd.to_numeric(firms.iloc[:, 3 + 2 * k])
    fa[item] = pd.to_numeric(firms.iloc[:, 4 + 2 * k])
for item in ["mobilite_frein", "langue_frein"]:
    fb[item], fa[item] = 6 - fb[item], 6 - fa[item]
for dimension, items in FIRM.items():
    if len(items) > 1:
        a, n = alpha(fb[items])
        out["alpha"].append({"type": "industriel", "design": "retrospective", "dimension": dimension, "alpha": a, "n": n})

# Pairs, all territories: per dimension and per item.
paired_keys = pre.index.intersection(post.index)
groups = [("prescripteur", "perception", pre.loc[paired_keys], post.loc[paired_keys], ADV, ITEMS),
          ("industriel", "retro_perception", fb, fa, FIRM, FIRM_ITEMS)]
pairs = {}  # (type, dimension) → {respondent: (before, after)}
for kind, prefix, before, after, dims, items in groups:
    for level, categories in (("dimension", list(dims)), ("item", items)):
        ps = []
        for category in categories:
            members = dims[category] if level == "dimension" else [category]
            found = {key: composite(before.loc[key], after.loc[key], members) for key in before.index}
            found = {key: v for key, v in found.items() if v is not None}
            if level == "dimension":
                pairs[(kind, category)] = found
            ps.append(wilcoxon_p([a - b for b, a in found.values()]))
        adjusted = multipletests(ps, method="holm")[1]
        for category, p, h in zip(categories, ps, adjusted):
            out["holm"].append({"indicator": f"{prefix}_wilcoxon_p_holm", "type": kind, "level": level, "category": category,
                                "p": p, "holm": float(h)})

# Response rates: persons listed, and among them those with at least one item answered at both times.
def answered_both(before, after, items):
    return [key for key in before.index if any(not pd.isna(before.loc[key, i]) and not pd.isna(after.loc[key, i]) for i in items)]


respondents = {"prescripteur": (answered_both(pre.loc[paired_keys], post.loc[paired_keys], ITEMS), "prospective",
                                {k: TERRITORY[t] for k, t in zip(pre.loc[paired_keys].index, pre.loc[paired_keys]["Territoire"])}),
               "industriel": (answered_both(fb, fa, FIRM_ITEMS), "retrospective", {k: TERRITORY[t] for k, t in zip(firms.index, firms["Territoire"])})}
for kind, (keys, design, _) in respondents.items():
    for territory in ["lyon", "saint_etienne", "ALL"]:
        ts = ["lyon", "saint_etienne"] if territory == "ALL" else [territory]
        persons = set().union(*(listed.get((kind, t), {}).keys() for t in ts))
        answered = [k for k in keys if k in persons]
        out["response_rate"].append({"type": kind, "territory": territory, "design": design, "persons": len(persons),
                                     "answered": len(answered), "rate": len(answered) / len(persons)})

# Baseline of paired advisers against those who answered only before.
before_only = pre.index.difference(post.index)
for dimension, items in ADV.items():
    paired = [float(b) for b, _ in pairs[("prescripteur", dimension)].values()]
    alone = []
    for key in before_only:
        answered = [int(pre.loc[key, i]) for i in items if not pd.isna(pre.loc[key, i])]
        if answered and 2 * len(answered) >= len(items):
            alone.append(sum(answered) / len(answered))
    r = stats.ttest_ind(paired, alone, equal_var=False)
    ci = r.confidence_interval(0.95)
    out["baseline"].append({"dimension": dimension, "paired": len(paired), "before_only": len(alone),
                            "difference": float(np.mean(paired) - np.mean(alone)), "ci": [float(ci.low), float(ci.high)]})

# Hiring log: hires on or after the first action; the durable share over contracts of known length;
# retention among hires whose six-month date falls on or before the log's latest date.
log = pd.read_csv(IN / "parcours_declic_2024-2025.tsv", sep="\t", dtype=str, keep_default_na=False).drop_duplicates()
log = log[log["Étape"].isin(["Mise en relation", "Entretien", "PMSMP", "Embauche", "Maintien à 6 mois"]) & (log["Contrat"] != "Stage de 3e")]
log["date"] = pd.to_datetime(log["Date"]).dt.date
first_action = min(pd.to_datetime(actions["Date"], format="%d/%m/%Y")).date()


def six_months(d):
    month = d.month + 6
    year, month = d.year + (month - 1) // 12, (month - 1) % 12 + 1
    for day in range(d.day, 27 if d.day > 28 else d.day - 1, -1):
        try:
            return date(year, month, day)
        except ValueError:
            pass


hires = log[(log["Étape"] == "Embauche") & (log["date"] >= first_action)]
retained_events = log[log["Étape"] == "Maintien à 6 mois"]
too_early = [r for _, r in retained_events.iterrows()
             if r["date"] < six_months(max(h for h in hires[hires["ID candidat"] == r["ID candidat"]]["date"] if h <= r["date"]))]
valid_retained = retained_events.drop([r.name for r in too_early])
end = log.drop([r.name for r in too_early])["date"].max()
observable = hires[hires["date"].map(lambda d: six_months(d) <= end)]
retained = [c for c, d in zip(observable["ID candidat"], observable["date"])
            if ((valid_retained["ID candidat"] == c) & (valid_retained["date"] >= six_months(d))).any()]
unknown = hires[hires["Contrat"] == "CDD"]
durable = hires[hires["Contrat"].isin(["CDI", "Création d'entreprise", "CDD 6 mois", "CDD 8 mois", "CDD 9 mois", "CDD 12 mois", "Intérim (6 mois)"])]
for name, k, n in (("retained_6m_share", len(retained), len(observable)), ("hires_sustainable_share", len(durable), len(hires) - len(unknown))):
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    out["shares"].append({"indicator": name, "k": k, "n": n, "value": k / n, "ci": [float(ci.low), float(ci.high)]})
out["hiring"] = {"hires": len(hires), "before_first_action": int((log[log["Étape"] == "Embauche"]["date"] < first_action).sum()),
                 "censored": len(hires) - len(observable), "too_early": len(too_early), "data_end": end.isoformat()}

# Formats: respondents found on the sheets of an action type, or of a number of actions (all territories).
TYPES = {"ZI Tour": "zi_tour", "Vis ma vie": "vis_ma_vie", "Visite SIAE": "visite_siae", "Ambassadeurs": "ambassadeur"}
for kind, dimension, breakdown, category in (("prescripteur", "connaissance", "action_type", "vis_ma_vie"),
                                             ("prescripteur", "attractivite", "actions_attended", "2"),
                                             ("industriel", "regard_candidats", "action_type", "zi_tour"),
                                             ("industriel", "reseau", "actions_attended", "1")):
    shifts = []
    for key, (b, a) in pairs[(kind, dimension)].items():
        attended = on_sheets(kind, key)
        if not attended:
            continue
        count = len(attended)
        if (breakdown == "action_type" and category in {TYPES[action_type[c]] for c in attended}) or \
           (breakdown == "actions_attended" and category == ("3+" if count >= 3 else str(count))):
            shifts.append(float(a - b))
    mean, half = float(np.mean(shifts)), float(stats.t.ppf(0.975, len(shifts) - 1) * np.std(shifts, ddof=1) / np.sqrt(len(shifts)))
    prefix = "retro_perception" if kind == "industriel" else "perception"
    out["formats"].append({"indicator": f"{prefix}_shift_by_{breakdown}", "type": kind, "dimension": dimension, "category": category,
                           "n": len(shifts), "mean": mean, "ci": [mean - half, mean + half]})

Path(__file__).with_name("sample_truth.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print({k: len(v) for k, v in out.items() if isinstance(v, list)}, out["hiring"], file=sys.stderr)
