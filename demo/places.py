"""Addresses: towns around each agency, plus UK and German ones for foreign customers.

Customers of an agency mostly sit in its region, so maps and per-agency views look right.
Postal codes are the towns' real ones; street numbers and streets are drawn at random.
"""

from __future__ import annotations

import random

Town = tuple[str, str]  # (postal code, city)

# fmt: off
REGIONS: dict[str, tuple[Town, ...]] = {
    "paris": (
        ("75002", "Paris"), ("75008", "Paris"), ("75011", "Paris"), ("75015", "Paris"),
        ("75017", "Paris"), ("75020", "Paris"), ("92100", "Boulogne-Billancourt"),
        ("93100", "Montreuil"), ("93200", "Saint-Denis"), ("78000", "Versailles"),
        ("92000", "Nanterre"), ("94000", "Créteil"), ("95100", "Argenteuil"),
        ("92130", "Issy-les-Moulineaux"), ("92300", "Levallois-Perret"), ("94300", "Vincennes"),
    ),
    "lyon": (
        ("69002", "Lyon"), ("69003", "Lyon"), ("69007", "Lyon"), ("69100", "Villeurbanne"),
        ("69200", "Vénissieux"), ("42000", "Saint-Étienne"), ("38000", "Grenoble"),
        ("74000", "Annecy"), ("73000", "Chambéry"), ("01000", "Bourg-en-Bresse"),
        ("69400", "Villefranche-sur-Saône"), ("26000", "Valence"),
    ),
    "lille": (
        ("59000", "Lille"), ("59100", "Roubaix"), ("59200", "Tourcoing"),
        ("59650", "Villeneuve-d'Ascq"), ("62000", "Arras"), ("62300", "Lens"), ("59500", "Douai"),
        ("59300", "Valenciennes"), ("59140", "Dunkerque"), ("80000", "Amiens"), ("62100", "Calais"),
    ),
    "nantes": (
        ("44000", "Nantes"), ("44600", "Saint-Nazaire"), ("44400", "Rezé"), ("49000", "Angers"),
        ("35000", "Rennes"), ("85000", "La Roche-sur-Yon"), ("49300", "Cholet"),
        ("56000", "Vannes"), ("72000", "Le Mans"), ("44800", "Saint-Herblain"),
    ),
    "bordeaux": (
        ("33000", "Bordeaux"), ("33700", "Mérignac"), ("33600", "Pessac"), ("33400", "Talence"),
        ("33120", "Arcachon"), ("33500", "Libourne"), ("64100", "Bayonne"), ("64000", "Pau"),
        ("24000", "Périgueux"), ("47000", "Agen"), ("40000", "Mont-de-Marsan"),
    ),
    "marseille": (
        ("13001", "Marseille"), ("13006", "Marseille"), ("13008", "Marseille"),
        ("13100", "Aix-en-Provence"), ("13400", "Aubagne"), ("83000", "Toulon"),
        ("84000", "Avignon"), ("06000", "Nice"), ("13500", "Martigues"), ("13200", "Arles"),
        ("13300", "Salon-de-Provence"),
    ),
}

ELSEWHERE: tuple[Town, ...] = (
    ("31000", "Toulouse"), ("67000", "Strasbourg"), ("34000", "Montpellier"), ("51100", "Reims"),
    ("21000", "Dijon"), ("63000", "Clermont-Ferrand"), ("37000", "Tours"), ("87000", "Limoges"),
    ("57000", "Metz"), ("76000", "Rouen"), ("14000", "Caen"), ("45000", "Orléans"),
    ("29200", "Brest"),
)

UK_TOWNS: tuple[Town, ...] = (
    ("EC1A", "London"), ("SE1", "London"), ("W1D", "London"), ("M1", "Manchester"),
    ("B1", "Birmingham"), ("LS1", "Leeds"), ("BS1", "Bristol"), ("EH1", "Edinburgh"),
    ("G1", "Glasgow"), ("L1", "Liverpool"), ("CF10", "Cardiff"), ("NE1", "Newcastle upon Tyne"),
    ("CB2", "Cambridge"), ("OX1", "Oxford"), ("BN1", "Brighton"), ("RG1", "Reading"),
)

DE_TOWNS: tuple[Town, ...] = (
    ("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln"),
    ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("40213", "Düsseldorf"),
    ("04109", "Leipzig"), ("01067", "Dresden"), ("30159", "Hannover"), ("90402", "Nürnberg"),
)

_FR_STREETS = (
    "rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur",
    "rue du Général de Gaulle", "place de la Mairie", "rue des Écoles", "allée des Tilleuls",
    "chemin des Vignes", "rue Nationale", "avenue de la Gare", "rue du Commerce",
    "rue Gambetta", "quai des Chartrons", "impasse des Lilas", "rue Voltaire", "rue Émile Zola",
    "avenue Foch", "rue de Verdun", "zone artisanale des Landes", "rue de l'Industrie",
    "avenue des Champs", "rue Saint-Martin", "boulevard de la Liberté", "rue du Moulin",
)
_UK_STREETS = (
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "King Street",
    "Queen Street", "Park Road", "London Road", "Market Place", "Bridge Street",
)
_DE_STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Dorfstraße", "Bergstraße",
    "Lindenstraße", "Kirchstraße", "Industriestraße",
)
# fmt: on
_UK_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def town(rng: random.Random, language: str, agency: str) -> Town:
    """Where a customer is: near its agency for French ones, abroad for the others."""
    if language == "en_GB":
        return rng.choice(UK_TOWNS)
    if language == "de_DE":
        return rng.choice(DE_TOWNS)
    if rng.random() < 0.1:
        return rng.choice(ELSEWHERE)
    return rng.choice(REGIONS[agency])


def address(rng: random.Random, language: str, postal_prefix: str, city: str) -> dict[str, str]:
    """A Pennylane ``billing_address`` object."""
    if language == "en_GB":
        postcode = f"{postal_prefix} {rng.randint(1, 9)}{rng.choice(_UK_LETTERS)}{rng.choice(_UK_LETTERS)}"
        street = f"{rng.randint(1, 240)} {rng.choice(_UK_STREETS)}"
        return {"address": street, "postal_code": postcode, "city": city, "country_alpha2": "GB"}
    if language == "de_DE":
        street = f"{rng.choice(_DE_STREETS)} {rng.randint(1, 140)}"
        return {"address": street, "postal_code": postal_prefix, "city": city, "country_alpha2": "DE"}
    number = str(rng.randint(1, 180)) + (" bis" if rng.random() < 0.05 else "")
    street = f"{number} {rng.choice(_FR_STREETS)}"
    return {"address": street, "postal_code": postal_prefix, "city": city, "country_alpha2": "FR"}
