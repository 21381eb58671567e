"""Name pools for the demo's people and companies, French first, then English and German.

Companies are built from patterns real ledgers are full of ("Boulangerie Lefèvre SARL",
"Transports Morel", "Menuiserie des Alpes"); every name is invented from common words and
surnames, so no real business is meant.
"""

from __future__ import annotations

import random

FR_SURNAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François "
    "Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Masson "
    "Marchand Duval Denis Dumont Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly "
    "Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy "
    "Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier "
    "Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Guillaume Lecomte Lopez Dupuy "
    "Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Deschamps Huet Vasseur Perez "
    "Boucher Fleury Royer Klein Jacquet Adam Poirier Marty Aubry Guyot Carré Charpentier Ménard "
    "Maillard Baron Bertin Bailly Hervé Schneider Fernandez Collet Léger Bouvier Julien Prévost "
    "Millet Perrot Cousin Germain Breton Besson Langlois Pelletier Lévêque Perrier Leblanc "
    "Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Guichard Gillet "
    "Étienne Poulain Tessier Chauvin Bouchet Lemaître Maréchal Humbert Reynaud Perret Cordier "
    "Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte"
).split()

FR_FIRST_NAMES = (
    "Jean Pierre Michel André Philippe Alain Nicolas Christophe Laurent Julien Thomas Antoine "
    "Sébastien Olivier Mathieu Vincent Romain Guillaume Hugo Lucas Louis Paul Théo Maxime "
    "Marie Nathalie Isabelle Sylvie Catherine Sophie Valérie Christine Céline Aurélie Julie "
    "Camille Léa Manon Chloé Emma Inès Sarah Élodie Hélène Anne Claire Juliette Pauline Margaux"
).split()

EN_SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Patel Hughes Edwards Turner Hill "
    "Moore Cooper Ward Morris King Watson Harris Baker Harrison Morgan Clark Young Allen "
    "Mitchell Bell Kelly Anderson Carter Shaw Lloyd Murphy Price Bennett Gray Cook"
).split()

EN_FIRST_NAMES = (
    "James Oliver George Harry Jack William Thomas Charlie Daniel Samuel Matthew David "
    "Olivia Amelia Emily Isla Sophie Grace Charlotte Jessica Hannah Lucy Emma Sarah"
).split()

DE_SURNAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Bauer Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange"
).split()

DE_FIRST_NAMES = (
    "Lukas Jonas Felix Maximilian Paul Stefan Andreas Michael Jürgen Tobias "
    "Anna Lena Laura Julia Katharina Sabine Petra Claudia Monika Sophie"
).split()

_FR_TRADES = (
    "Boulangerie Transports Garage Menuiserie Plomberie Cabinet Pharmacie Imprimerie "
    "Boucherie Fromagerie Librairie Brasserie Atelier Ébénisterie Électricité Maçonnerie "
    "Paysages Laboratoire Optique Carrosserie Serrurerie Chauffage Peinture Nettoyage "
    "Traiteur Déménagements Ambulances Auto-école Studio Métallerie Charpente Quincaillerie "
    "Jardinerie Pressing Couverture Cave Domaine Scierie Chaudronnerie Clinique"
).split()

_FR_SECTORS = (
    "Conseil",
    "Logistique",
    "Industrie",
    "Bâtiment",
    "Distribution",
    "Immobilier",
    "Informatique",
    "Environnement",
    "Énergies",
    "Services",
    "Ingénierie",
    "Emballages",
    "Négoce",
    "Rénovation",
    "Agencement",
    "Sécurité",
)

_FR_PLACES = (
    "du Parc",
    "des Alpes",
    "de l'Ouest",
    "du Rhône",
    "de la Loire",
    "du Vieux Port",
    "des Flandres",
    "de Provence",
    "du Littoral",
    "de Bretagne",
    "du Centre",
    "des Deux Rives",
    "de la Gare",
    "du Marais",
    "des Vignes",
    "du Val",
    "de l'Estuaire",
    "des Coteaux",
)

_FR_FORMS = ("SARL", "SAS", "SAS", "EURL", "SA", "SASU")
_COINED_HEADS = (
    "Techn Indus Alp Sud Nord Atlant Proven Armor Euro Inter Agri Eco Logi Distri Medi Hydro Therm Vals".split()
)
_COINED_TAILS = "ova ex is al ia imat olec ys era ance ival opol".split()
_EN_TRADES = (
    "Logistics",
    "Consulting",
    "Engineering",
    "Foods",
    "Software",
    "Design",
    "Trading",
    "Systems",
    "Partners",
)
_EN_FORMS = ("Ltd", "Ltd", "LLP", "plc")
_DE_TRADES = ("Logistik", "Maschinenbau", "Handel", "Beratung", "Technik", "Bau", "Software")
_DE_FORMS = ("GmbH", "GmbH", "KG", "AG", "GmbH & Co. KG")


def person(rng: random.Random, language: str) -> tuple[str, str]:
    """``(first_name, last_name)`` in the customer's language."""
    if language == "en_GB":
        return rng.choice(EN_FIRST_NAMES), rng.choice(EN_SURNAMES)
    if language == "de_DE":
        return rng.choice(DE_FIRST_NAMES), rng.choice(DE_SURNAMES)
    return rng.choice(FR_FIRST_NAMES), rng.choice(FR_SURNAMES)


def _french_company(rng: random.Random, city: str) -> str:
    pattern = rng.random()
    surname = rng.choice(FR_SURNAMES)
    if pattern < 0.35:
        name = f"{rng.choice(_FR_TRADES)} {surname}"
    elif pattern < 0.55:
        name = f"{surname} {rng.choice(_FR_SECTORS)}"
    elif pattern < 0.65:
        name = f"{rng.choice(_FR_TRADES)} {rng.choice(_FR_PLACES)}"
    elif pattern < 0.73:
        name = f"{surname} {'& Fils' if rng.random() < 0.6 else 'Frères'}"
    elif pattern < 0.87:
        coined = rng.choice(_COINED_HEADS) + rng.choice(_COINED_TAILS)
        name = f"{coined} {rng.choice(_FR_SECTORS)}" if rng.random() < 0.5 else coined
    else:
        name = f"{rng.choice(_FR_SECTORS)} {city}"
    if rng.random() < 0.45:
        name = f"{name} {rng.choice(_FR_FORMS)}"
    return name


def company_name(rng: random.Random, language: str, city: str) -> str:
    """A plausible, invented company name for a customer billed in ``language``."""
    if language == "en_GB":
        if rng.random() < 0.4:
            head = f"{rng.choice(EN_SURNAMES)} & {rng.choice(EN_SURNAMES)}"
        else:
            head = f"{rng.choice((city, rng.choice(EN_SURNAMES)))} {rng.choice(_EN_TRADES)}"
        return f"{head} {rng.choice(_EN_FORMS)}"
    if language == "de_DE":
        if rng.random() < 0.5:
            head = f"{rng.choice(DE_SURNAMES)} {rng.choice(_DE_TRADES)}"
        else:
            head = f"{rng.choice(DE_SURNAMES)} & {rng.choice(DE_SURNAMES)}"
        return f"{head} {rng.choice(_DE_FORMS)}"
    return _french_company(rng, city)
