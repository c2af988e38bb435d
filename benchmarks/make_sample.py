#!/usr/bin/env python3
"""Writes the bundled sample exports in inputs/ (deterministic: same bytes every time).

usage: make_sample.py [OUT_DIR]   → default: the repository's inputs/

Déclic Industrie, programme year 2024-2025, Lyon and Saint-Étienne, in the spirit of the seed's
first-year results: Lyon 15 actions, 26 industrial staff, 107 adviser staff; Saint-Étienne 24
actions, 50 industrial staff, 107 adviser staff. Two exports, as partner tools write them:
- actions_declic_2024-2025.csv: a spreadsheet log, ';', Windows-1252, CRLF, dd/mm/yyyy, a title
  line above the header, a comment with ';', a newline and doubled quotes;
- emargements_declic_2024-2025.csv: an online form's attendance export, ',', UTF-8 with BOM.
Each has a handful of genuinely bad rows (unknown territory, impossible or ambiguous date,
non-numeric count, duplicates, unknown action, unknown profile, a formula-looking value).
"""
import math
from datetime import date, timedelta
import random
import sys
from pathlib import Path

from usage import check_arguments

check_arguments(__doc__)

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "inputs")
rng = random.Random(20250917)
# The questionnaires and the hiring log draw from streams of their own.
qrng = random.Random(20261129)
prng = random.Random(20261130)

FIRST = ["Camille", "Nicolas", "Sophie", "Karim", "Julie", "Thomas", "Nadia", "Pierre", "Claire", "Mehdi",
         "Laura", "Antoine", "Fatima", "Julien", "Émilie", "Romain", "Sarah", "Hugo", "Inès", "Mathieu",
         "Céline", "Yanis", "Aurélie", "Bastien", "Léa", "Olivier", "Manon", "Sébastien", "Chloé", "Rachid"]
LAST = ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Roux", "Fournier", "Benali", "Mercier",
        "Faure", "Blanc", "Guérin", "Chevalier", "Perrin", "Morel", "Garnier", "Bonnet", "Lefèvre", "Haddad",
        "Rousseau", "Vincent", "Muller", "Lambert", "Fontaine", "Roche", "Brun", "Gauthier", "Masson", "Sanchez"]
INDUSTRY = {
    "lyon": ["Fonderie du Rhône", "Mécanique de Gerland", "Plasturgie Vénissieux", "Chimie Vallée SAS",
             "Usinage Saint-Priest", "Électronique Confluence", "Textiles techniques Villeurbanne"],
    "saint_etienne": ["Forges du Gier", "Outillage Stéphanois", "Métallurgie du Furan", "Cycles Manufrance Industrie",
                      "Découpage Loire SAS", "Plasturgie du Pilat", "Mécanique de Saint-Chamond", "Verrerie Forézienne"],
}
ADVISERS = {
    "lyon": [("France Travail Lyon 7e", "Conseiller France Travail"), ("France Travail Villeurbanne", "Conseillère France Travail"),
             ("Mission Locale de Lyon", "Mission Locale"), ("SIAE Envie Rhône", "Chargé d'insertion SIAE"),
             ("AFPA Vénissieux", "Organisme de formation"), ("Cap Emploi 69", "Conseiller emploi")],
    "saint_etienne": [("France Travail Saint-Étienne Centre", "Conseiller France Travail"),
                      ("Mission Locale Saint-Étienne", "Mission Locale"), ("SIAE Loire Insertion", "Chargé d'insertion SIAE"),
                      ("GRETA Loire", "Organisme de formation"), ("France Travail Firminy", "Conseillère France Travail")],
}
TERRITORY_SPELLINGS = {"lyon": ["Lyon", "Métropole de Lyon", "LYON"],
                       "saint_etienne": ["Saint-Étienne", "St Etienne", "Saint-Etienne Métropole"]}
TYPE_SPELLINGS = {"zi_tour": "ZI Tour", "vis_ma_vie": "Vis ma vie", "visite_siae": "Visite SIAE",
                  "ambassadeur": "Ambassadeurs", "video": "Vidéo marque employeur"}
PLAN = {"lyon": {"zi_tour": 5, "vis_ma_vie": 4, "visite_siae": 2, "ambassadeur": 2, "video": 2},
        "saint_etienne": {"zi_tour": 8, "vis_ma_vie": 6, "visite_siae": 3, "ambassadeur": 4, "video": 3}}
TARGETS = {"lyon": (26, 107), "saint_etienne": (50, 107)}
ORGANISERS = {"lyon": ["UIMM Rhône", "Fondation ILYSE", "Maison de l'Emploi Lyon"],
              "saint_etienne": ["UIMM Loire", "Fondation ILYSE", "Saint-Étienne Métropole"]}


def strip_accents(s):
    table = str.maketrans("éèêëàâîïôöûüçÉÈ", "eeeeaaiioouucEE")
    return s.translate(table)


def people(territory, kind, count, used):
    result = []
    while len(result) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        base = f"{strip_accents(first).lower()}.{strip_accents(last).lower().replace(' ', '')}"
        domain = "exemple-industrie.fr" if kind == "industriel" else "exemple-emploi.fr"
        n = 1
        while f"{base}{n if n > 1 else ''}@{domain}" in used:
            n += 1
        email = f"{base}{n if n > 1 else ''}@{domain}"
        used.add(email)
        if kind == "industriel":
            org, profile = rng.choice(INDUSTRY[territory]), rng.choice(["Entreprise industrielle", "Collaborateur industriel", "Industriel"])
        else:
            org, profile = rng.choice(ADVISERS[territory])
        phone = f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        result.append(dict(first=first, last=last, email=email, org=org, profile=profile, phone=phone))
    return result


# Who was reached where (filled by main; the questionnaires' respondents are these people).
PEOPLE = {}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    actions, attendance = [], []
    used = set()
    for territory, prefix in (("lyon", "LYO"), ("saint_etienne", "STE")):
        ids = []
        for action_type, count in PLAN[territory].items():
            for _ in range(count):
                ids.append(action_type)
        rng.shuffle(ids)
        # Dates spread over the programme year, Sept 2024 to June 2025, sorted.
        days = sorted(rng.sample(range(0, 290), len(ids)))
        plan = []
        for i, (action_type, day) in enumerate(zip(ids, days), start=1):
            month_lengths = [30, 31, 30, 31, 31, 28, 31, 30, 31, 30]  # Sept 2024 … June 2025
            month, d = 0, day
            while d >= month_lengths[month]:
                d -= month_lengths[month]
                month += 1
            year = 2024 if month < 4 else 2025
            mm = (8 + month) % 12 + 1
            plan.append(dict(id=f"{prefix}-{24 + (month >= 4)}{i:02d}", type=action_type, date=f"{d + 1:02d}/{mm:02d}/{year}",
                             territory=territory))
        industrials = people(territory, "industriel", TARGETS[territory][0], used)
        advisers = people(territory, "prescripteur", TARGETS[territory][1], used)
        listed = [a for a in plan if a["type"] != "video"]
        # Everybody attends at least one listed action; some attend two or three.
        for group in (industrials, advisers):
            for person in group:
                k = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
                for action in rng.sample(listed, min(k, len(listed))):
                    attendance.append((action["id"], person))
                    person.setdefault("actions", []).append(action["type"])
        PEOPLE[territory] = {"industriel": industrials, "prescripteur": advisers}
        for action in plan:
            spelled = rng.choice(TERRITORY_SPELLINGS[territory])
            duration = {"zi_tour": "3,5", "vis_ma_vie": "7", "visite_siae": "2,5", "ambassadeur": "1,5", "video": "1"}[action["type"]]
            counts = ["", "", ""]
            if action["type"] == "video":
                counts = ["", "", str(rng.randint(12, 30))]
            actions.append([action["id"], action["date"], spelled, TYPE_SPELLINGS[action["type"]],
                            rng.choice(ORGANISERS[territory]), duration, *counts, ""])
    actions.sort(key=lambda r: (r[1][6:], r[1][3:5], r[1][:2], r[0]))
    # A remark that needs quoting: ';', a newline and doubled quotes.
    actions[3][9] = 'Bus complet ; liste d\'attente.\nRetour "très positif" des conseillers'
    actions[7][9] = "Annulée puis reprogrammée"
    # Genuinely bad rows.
    bad = [
        ["GRE-2501", "14/01/2025", "Grenoble", "ZI Tour", "UIMM Isère", "3", "", "", "", "Hors programme"],
        ["LYO-2599", "31/02/2025", "Lyon", "Vis ma vie", "UIMM Rhône", "7", "", "", "", ""],
        ["STE-2599", "12/31/2024", "Saint-Étienne", "ZI Tour", "UIMM Loire", "3,5", "", "", "", "Date saisie au format américain"],
        ["STE-2598", "05/03/2025", "St Etienne", "Vidéo marque employeur", "UIMM Loire", "1", "", "", "une vingtaine", ""],
    ]
    duplicate = list(actions[10])
    rows = actions[:12] + [bad[0]] + actions[12:20] + [bad[1], duplicate] + actions[20:30] + [bad[2]] + actions[30:] + [bad[3]]
    header = ["N° action", "Date", "Territoire", "Type d'action", "Organisateur", "Durée (h)",
              "Nb industriels", "Nb prescripteurs", "Nb candidats", "Remarques"]

    def cell(v, d):
        return '"' + v.replace('"', '""') + '"' if (d in v or '"' in v or "\n" in v) else v

    lines = ["Export Déclic Industrie — journal des actions 2024-2025;;;;;;;;;", ";".join(header)]
    lines += [";".join(cell(v, ";") for v in r) for r in rows]
    (OUT / "actions_declic_2024-2025.csv").write_bytes(("\r\n".join(lines) + "\r\n").replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode("cp1252"))

    # Attendance export: timestamps, names, e-mail, phone, organisation, profile.
    rng.shuffle(attendance)
    out = []
    for i, (action_id, p) in enumerate(attendance):
        stamp = f"2025-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:00"
        email = p["email"] if i % 7 else p["email"].upper()  # same person, other case
        out.append([stamp, action_id, p["last"], p["first"], email, p["phone"], p["org"], p["profile"]])
    first_lyon = next(r for r in out if r[1].startswith("LYO"))
    out.insert(15, list(first_lyon))  # exported twice
    out.insert(40, ["2025-03-02 10:12:00", "LYO-2577", "Roux", "Hugo", "hugo.roux9@exemple-emploi.fr", "06 11 22 33 44",
                    "France Travail Lyon 7e", "Conseiller France Travail"])
    out.insert(60, ["2025-02-11 09:30:00", "STE-2405", "Perrin", "Claire", "claire.perrin7@exemple-emploi.fr", "06 55 44 33 22",
                    "Association Relais", "Autre"])
    out.insert(80, ["2025-04-18 14:03:00", "STE-2410", "Faure", "Julien", "", "06 98 76 54 32", "GRETA Loire", "Organisme de formation"])
    out.insert(100, ["2025-05-20 11:00:00", "LYO-2410", "Blanc", "Manon", "manon.blanc5@exemple-emploi.fr", "06 12 12 12 12",
                     "Cap Emploi 69", '=HYPERLINK("http://exemple.invalid/?q="&A1,"Cliquez ici")'])
    out.insert(120, ["2025-01-14 16:45:00", "GRE-2501", "Morel", "Inès", "ines.morel3@exemple-industrie.fr", "06 01 02 03 04",
                     "Usinage Saint-Priest", "Industriel"])
    header = ["Horodateur", "Code action", "Nom", "Prénom", "E-mail", "Téléphone", "Structure", "Profil"]
    # Saint-Étienne's SIAE visits and ambassador sessions were recorded with another tool, which
    # exports XML: those lines go there (the figures do not change).
    kinds = {r[0]: r[3] for r in actions}
    other = [r for r in out if r[1].startswith("STE") and kinds.get(r[1]) in ("Visite SIAE", "Ambassadeurs")]
    out = [r for r in out if r not in other]
    text = "\r\n".join([",".join(header)] + [",".join(cell(v, ",") for v in r) for r in out]) + "\r\n"
    (OUT / "emargements_declic_2024-2025.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    dates = {r[0]: r[1] for r in actions}

    def esc(v):
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    lines = ['<?xml version="1.0" encoding="ISO-8859-1"?>',
             '<!-- Export Présences+ : séances et participants -->',
             '<pres:Export xmlns:pres="urn:exemple:presences:1.0" outil="Présences+" genere="2025-07-01">']
    for code in sorted({r[1] for r in other}):
        d, m, y = dates[code].split("/")
        lines.append(f'  <pres:Seance code="{code}" date="{y}-{m}-{d}" lieu="Saint-Étienne">')
        for r in (r for r in other if r[1] == code):
            lines.append(f"    <pres:Participant><pres:Nom>{esc(r[2])}</pres:Nom><pres:Prenom>{esc(r[3])}</pres:Prenom>"
                         f"<pres:Courriel>{esc(r[4])}</pres:Courriel><pres:Structure>{esc(r[6])}</pres:Structure>"
                         f"<pres:Profil>{esc(r[7])}</pres:Profil></pres:Participant>")
        if code == sorted({r[1] for r in other})[0]:
            lines.append(lines[-1])  # a participant recorded twice in the same session
        lines.append("  </pres:Seance>")
    lines.append("</pres:Export>")
    (OUT / "presences_saint-etienne_2024-2025.xml").write_bytes(("\n".join(lines) + "\n").encode("iso-8859-1"))


LABELS = ["Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord", "Plutôt d'accord", "Tout à fait d'accord"]
# Answers follow a latent-trait model, as real Likert questionnaires do: each respondent has one
# latent attitude per dimension (standard normal); an item's answer is its mean + LOADING × the
# attitude (minus for negatively worded items) + item noise, rounded onto 1–5. Items of a dimension
# therefore correlate (Cronbach's alpha 0.6–0.85 on the "before" answers). After the actions the
# attitude moves by the dimension's shift plus a personal deviation, so some respondents worsen.
LOADING, ITEM_NOISE, PERSONAL = 0.85, 0.62, 0.6
ADVISER_ITEMS = [  # id, question, dimension, mean before (agreement as asked), negatively worded
    ("diversite_metiers", "Q1. L'industrie offre une grande diversité de métiers", "attractivite", 3.0, False),
    ("perspectives", "Q2. L'industrie offre des perspectives d'évolution", "attractivite", 2.9, False),
    ("salaires", "Q3. Les salaires de l'industrie sont attractifs", "attractivite", 2.6, False),
    ("acces_sites", "Q4. Les sites industriels sont difficiles d'accès", "conditions", 3.9, True),
    ("horaires", "Q5. Les horaires de l'industrie sont compatibles avec une vie de famille", "conditions", 2.4, False),
    ("connaissance_metiers", "Q6. Je connais les métiers industriels de mon territoire", "connaissance", 2.3, False),
    ("orienter", "Q7. Je me sens capable d'orienter un candidat vers l'industrie", "connaissance", 2.7, False),
]
FIRM_ITEMS = [
    ("motivation", "Les personnes en reconversion sont motivées", "regard_candidats", 2.8, False),
    ("competences", "Les compétences des personnes en reconversion sont transférables", "regard_candidats", 2.7, False),
    ("mobilite_frein", "La mobilité des candidats est un frein au recrutement", "freins", 3.9, True),
    ("langue_frein", "La maîtrise du français est un frein au recrutement", "freins", 3.5, True),
    ("prescripteurs_contact", "Je sais à quels prescripteurs m'adresser pour recruter", "reseau", 2.2, False),
]
# Mean shift of the latent attitude per dimension, then what the formats attended add (the seed's
# second-year lesson: SIAE visits pleased some firms and not others; job shadowing teaches jobs).
ADVISER_SHIFT = {"attractivite": 0.6, "conditions": 0.0, "connaissance": 1.0}
FIRM_SHIFT = {"regard_candidats": 0.5, "freins": 0.15, "reseau": 1.3}


# Free-text comments come from their own random stream, so adding them changes no other value.
crng = random.Random(4242)
ADVISER_COMMENTS = [
    "L'accès aux sites reste compliqué sans voiture, les transports en commun ne desservent pas la zone.",
    "Les horaires en 3x8 font peur aux candidats qui ont des enfants.",
    "J'ai découvert une grande diversité de métiers, bien plus que je ne pensais.",
    "Les salaires sont plus attractifs que je ne le croyais, avec des primes d'équipe.",
    "Des ateliers modernes et propres, loin des clichés, avec beaucoup de robots.",
    "La pénibilité physique de certains postes reste un frein pour mon public.",
    "Très bonne journée, je vais orienter plus de candidats vers l'industrie.",
    "Les compétences transférables de mes candidats en reconversion sont enfin reconnues.",
    "Merci à {first} {last} pour l'accueil, joignable au {phone} ou {email}, très disponible.",
]
FIRM_COMMENTS = [
    "Des candidats motivés, mais la maîtrise du français reste un frein sur certains postes.",
    "Sans permis ni voiture, l'accès à notre site est difficile : c'est notre premier problème.",
    "Nous avons sous-estimé les compétences transférables des personnes en reconversion.",
    "Le manque de compétences techniques demande une formation avant l'embauche.",
    "Merci à {first} {last} de France Travail ({email}) pour la mise en relation.",
    "",
]


def comment(pool):
    text = crng.choice(pool)
    first, last = crng.choice(FIRST), crng.choice(LAST)
    email = f"{first.lower().replace('é', 'e').replace('è', 'e').replace('ï', 'i')}.{last.lower()}@exemple-emploi.fr"
    return text.format(first=first, last=last, phone=f"06 {crng.randint(10, 99)} {crng.randint(10, 99)} {crng.randint(10, 99)} {crng.randint(10, 99)}", email=email)


def likert(value):
    return int(min(5, max(1, round(value))))


def item_answer(mean, negative, attitude):
    return likert(mean + (-1 if negative else 1) * LOADING * attitude + qrng.gauss(0, ITEM_NOISE))


def shifted(attitudes, shifts, person, kind):
    """The attitudes after the actions: the mean shift, the formats' effects, a personal deviation."""
    after = {}
    for dimension, before in attitudes.items():
        delta = shifts[dimension]
        actions = person.get("actions", [])
        if kind == "prescripteur" and dimension == "connaissance" and "vis_ma_vie" in actions:
            delta += 0.4
        if kind == "industriel" and dimension == "regard_candidats" and "visite_siae" in actions:
            delta += 0.7 if qrng.random() < 0.5 else -0.6  # pleased some firms, not others
        delta += 0.1 * (len(actions) - 1)
        after[dimension] = before + delta + qrng.gauss(0, PERSONAL)
    return after


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def questionnaires():
    # Advisers: before/after, one UTF-8 comma export from an online form that asks for the e-mail
    # address (the attendance sheets' key: answers link to the actions attended), French labels,
    # NSP and blanks. Advisers whose view of industry was already favourable answered "after" less
    # often, so the paired respondents started lower than those who answered only before.
    rows = []
    for territory, spelled in (("lyon", "Lyon"), ("saint_etienne", "Saint-Étienne")):
        colleagues = [dict(email=f"conseiller.{territory[:4]}{i}@exemple-emploi.fr", actions=[]) for i in range(1, 4)]
        for n, person in enumerate(PEOPLE[territory]["prescripteur"] + colleagues):
            attitudes = {d: qrng.gauss(0, 1) for d in ADVISER_SHIFT}
            takes_pre = qrng.random() < 0.72
            takes_post = qrng.random() < sigmoid(0.55 - 0.6 * attitudes["attractivite"])
            if not (takes_pre or takes_post):
                continue
            after = shifted(attitudes, ADVISER_SHIFT, person, "prescripteur")
            key = person["email"].upper() if n % 11 == 5 else person["email"]  # typed in capitals: still the same person
            for wave, day, state in (("Avant", f"{qrng.randint(1, 30):02d}/09/2024", attitudes),
                                     ("Après", f"{qrng.randint(1, 30):02d}/06/2025", after)):
                if (wave == "Avant" and not takes_pre) or (wave == "Après" and not takes_post):
                    continue
                cells = []
                for _, _, dimension, mean, negative in ADVISER_ITEMS:
                    v = item_answer(mean, negative, state[dimension])
                    r = qrng.random()
                    cells.append("" if r < 0.03 else "NSP" if r < 0.07 else LABELS[v - 1])
                note = comment(ADVISER_COMMENTS) if wave == "Après" and crng.random() < 0.4 else ""
                rows.append([f"{day} 10:{qrng.randint(10, 59)}", key, spelled, wave] + cells + [note])
    rows.sort(key=lambda r: (r[0][6:10], r[0][3:5], r[0][:2], r[1]))
    rows.insert(40, list(rows[30][:4]) + ["Peut-être"] + rows[30][5:])  # not on the scale: rejected
    rows.insert(60, [rows[59][0], "inconnu@exemple-emploi.fr", "Lyon", "T2"] + rows[59][4:])  # unknown wave: rejected
    later = list(rows[-1])
    later[0] = "30/06/2025 18:00"
    later[4] = LABELS[4]
    rows.append(later)  # the same adviser answered the post questionnaire twice: the latest is kept
    header = ["Horodateur", "Adresse e-mail", "Territoire", "Vague"] + [q for _, q, _, _, _ in ADVISER_ITEMS] + ["Commentaire"]

    def cell(v):
        return '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\n" in v) else v
    text = "\n".join(",".join(cell(v) for v in r) for r in [header] + rows) + "\n"
    (OUT / "questionnaire_conseillers_2024-2025.csv").write_bytes(text.encode("utf-8"))

    # Industrial staff: one retrospective ("avant / aujourd'hui") questionnaire after the actions,
    # sent to the people on the attendance sheets (their e-mail is the respondent key).
    rows = []
    for territory, spelled, n in (("lyon", "Lyon", 19), ("saint_etienne", "Saint-Étienne", 36)):
        for person in qrng.sample(PEOPLE[territory]["industriel"], n):
            attitudes = {d: qrng.gauss(0, 1) for d in FIRM_SHIFT}
            after = shifted(attitudes, FIRM_SHIFT, person, "industriel")
            cells = []
            for _, _, dimension, mean, negative in FIRM_ITEMS:
                b = item_answer(mean, negative, attitudes[dimension])
                a = item_answer(mean, negative, after[dimension])
                cells += ["" if qrng.random() < 0.04 else str(b), "" if qrng.random() < 0.03 else str(a)]
            rows.append([person["email"], f"{qrng.randint(1, 28):02d}/0{qrng.randint(3, 6)}/2025", spelled] + cells)
            rows[-1].append(comment(FIRM_COMMENTS) if crng.random() < 0.6 else "")
    again = list(rows[20])
    again[1] = "28/06/2025"
    again[4] = "5"
    rows.append(again)  # resubmitted a few days later: the latest answer is kept
    header = ["Courriel", "Date", "Territoire"]
    for _, q, _, _, _ in FIRM_ITEMS:
        header += [f"Avant — {q}", f"Aujourd'hui — {q}"]
    header.append("Commentaire")
    # Exported by the survey platform as Excel "XML Spreadsheet 2003": numbers as Number cells, the
    # date as DateTime, blank answers left out (the next cell carries ss:Index).
    def esc(v):
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    xml = ['<?xml version="1.0"?>', '<?mso-application progid="Excel.Sheet"?>',
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">',
           ' <Worksheet ss:Name="Réponses">', '  <Table>']
    xml.append("   <Row>" + "".join(f'<Cell><Data ss:Type="String">{esc(h)}</Data></Cell>' for h in header) + "</Row>")
    for r in rows:
        cells, skipped = [], False
        for i, v in enumerate(r):
            if v == "":
                skipped = True
                continue
            index = f' ss:Index="{i + 1}"' if skipped else ""
            skipped = False
            if i == 1:
                d, m, y = v.split("/")
                cells.append(f'<Cell{index}><Data ss:Type="DateTime">{y}-{m}-{d}T00:00:00.000</Data></Cell>')
            elif 3 <= i < len(header) - 1:
                cells.append(f'<Cell{index}><Data ss:Type="Number">{v}</Data></Cell>')
            else:
                cells.append(f'<Cell{index}><Data ss:Type="String">{esc(v)}</Data></Cell>')
        xml.append("   <Row>" + "".join(cells) + "</Row>")
    xml += ["  </Table>", " </Worksheet>", "</Workbook>"]
    (OUT / "questionnaire_industriels_2024-2025.xml").write_bytes(("\r\n".join(xml) + "\r\n").encode("utf-8"))


def six_months(d):
    """The same day six months later (the month's last day when it has no such day)."""
    month = d.month + 6
    year, month = d.year + (month - 1) // 12, (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(d.day, last))
        except ValueError:
            continue


def pathways():
    """Hiring log: a CRM's tab-separated UTF-8 export, ISO dates, one line per step of a candidate's route."""
    actions = []
    for line in (OUT / "actions_declic_2024-2025.csv").read_bytes().decode("cp1252").split("\r\n")[2:]:
        cells = line.split(";")
        if len(cells) > 4 and cells[0][:3] in ("LYO", "STE") and cells[1][2] == "/" and cells[1][:5] != "31/02" and cells[1][:5] != "12/31":
            d, m, y = cells[1].split("/")
            actions.append((cells[0], f"{y}-{m}-{d}", "lyon" if cells[0].startswith("LYO") else "saint_etienne", cells[3]))
    referrers = {"lyon": [("France Travail Lyon 7e", "France Travail"), ("Mission Locale de Lyon", "Mission Locale"),
                          ("SIAE Envie Rhône", "SIAE"), ("AFPA Vénissieux", "Organisme de formation")],
                 "saint_etienne": [("France Travail Saint-Étienne Centre", "France Travail"), ("Mission Locale Saint-Étienne", "Mission Locale"),
                                   ("SIAE Loire Insertion", "SIAE"), ("GRETA Loire", "Organisme de formation")]}
    # Per territory, the hires in date order: the first ones (November to mid-February) have reached
    # six months by the end of the log, the later ones (March to June) have not (censored).
    # A "CDD" written without its length is common in such logs: five here, out of the durable share.
    contracts = {"lyon": ["CDI", "CDD 6 mois", "Intérim (3 mois)", "CDD", "Contrat pro", "CDI", "CDD", "Apprentissage"],
                 "saint_etienne": ["CDI", "CDD 12 mois", "Création d'entreprise", "Intérim (6 mois)", "CDD 4 mois", "CDI", "CDD",
                                   "CDI", "CDD", "CDD 9 mois", "CDD"]}
    observable = {"lyon": 5, "saint_etienne": 7}
    short = ("Intérim (3 mois)", "Intérim (6 mois)", "CDD 4 mois", "Intérim (2 mois)")  # not in post six months later
    rows = []

    def day(d):
        return d.isoformat()

    for territory, prefix, n in (("lyon", "L", 16), ("saint_etienne", "S", 20)):
        mine = [a for a in actions if a[2] == territory and a[3] in ("ZI Tour", "Vis ma vie")]
        spelled = "Lyon" if territory == "lyon" else "Saint-Étienne"
        hires = len(contracts[territory])
        early = sorted(date(2024, 11, 4) + timedelta(days=prng.randint(0, 100)) for _ in range(observable[territory]))
        late = sorted(date(2025, 3, 3) + timedelta(days=prng.randint(0, 109)) for _ in range(hires - observable[territory]))
        for i in range(n):
            cand = f"C-{prefix}{i + 1:02d}"
            org, kind = prng.choice(referrers[territory])
            employer = prng.choice(INDUSTRY[territory])
            linked = prng.choice(mine)
            action = linked[0] if i % 2 == 0 else ""  # referred during a ZI Tour or a job-shadowing day
            hired = (early + late)[i] if i < hires else None
            if hired:
                start = max(date(2024, 9, 20), hired - timedelta(days=prng.randint(45, 110)))
            else:
                start = date(2024, 10, 1) + timedelta(days=prng.randint(0, 210))
            line = [cand, "", "", spelled, employer, org, kind, "", "", "", ""]
            rows.append([cand, "Mise en relation", day(start)] + line[3:10] + [action])
            span = ((hired or start + timedelta(days=60)) - start).days
            if i < hires + 3:
                rows.append([cand, "Entretien", day(start + timedelta(days=span * 4 // 10))] + line[3:])
            if i % 2 == 0:
                rows.append([cand, "PMSMP", day(start + timedelta(days=span * 7 // 10))] + line[3:])
            if hired:
                contract = contracts[territory][i]
                begin = end = ""
                if contract == "CDD 6 mois":
                    begin, end = day(hired), day(six_months(hired) - timedelta(days=1))
                rows.append([cand, "Embauche", day(hired)] + line[3:7] + [contract, begin, end, ""])
                if i < observable[territory] and contract not in short:
                    follow_up = six_months(hired) + timedelta(days=prng.randint(0, 14))
                    rows.append([cand, "Maintien à 6 mois", day(follow_up)] + line[3:])
                if territory == "saint_etienne" and i == observable[territory]:
                    # Recorded four months after the hire: six months cannot have passed (rejected).
                    rows.append([cand, "Maintien à 6 mois", day(hired + timedelta(days=122))] + line[3:])
    # A hire before any action of the programme: not linked to an action.
    rows.append(["C-S99", "Mise en relation", "2024-09-02", "Saint-Étienne", "Verrerie Forézienne", "Cap Emploi 42", "Cap Emploi", "", "", "", ""])
    rows.append(["C-S99", "Embauche", "2024-09-10", "Saint-Étienne", "Verrerie Forézienne", "Cap Emploi 42", "Cap Emploi", "CDI", "", "", ""])
    rows.append(["C-L03", "Relance téléphonique", "2025-01-15", "Lyon", "", "", "", "", "", "", ""])  # unknown step: rejected
    rows.append(["C-L09", "Embauche", "2025-04-02", "Lyon", "Usinage Saint-Priest", "AFPA Vénissieux", "Organisme de formation",
                 "Stage de 3e", "", "", ""])  # not a contract: rejected
    rows.insert(7, list(rows[6]))  # exported twice
    header = ["ID candidat", "Étape", "Date", "Territoire", "Entreprise", "Structure orientatrice", "Type de structure",
              "Contrat", "Début contrat", "Fin contrat", "Action liée"]
    text = "\n".join("\t".join(r) for r in [header] + rows) + "\n"
    (OUT / "parcours_declic_2024-2025.tsv").write_bytes(text.encode("utf-8"))


if __name__ == "__main__":
    main()
    questionnaires()
    pathways()
