"""The dashboard's definitions in one line each, as the page prints them (docs/metrics.md has
the long form; a test checks both say the same thing)."""

from __future__ import annotations

WEEKLY = (
    "Attendu : montant des factures, net de leurs avoirs, dont la date d'accord de paiement — ou "
    "d'échéance à défaut — tombe dans la semaine, payées depuis ou non ; pour une semaine à venir, "
    "seulement ce qui reste dû.",
    "Encaissé : paiements bancaires lettrés avec les factures, à leur date de paiement.",
    "Semaines ISO (lundi au dimanche), heure de Paris. Cliquez sur une barre pour voir ses factures.",
)
GAP = (
    "Écart : factures dont la date attendue (accord de paiement, sinon échéance) est passée et qui ne "
    "sont pas entièrement payées, pour leur montant restant dû ; les factures en litige sont comptées à part."
)
AGING = (
    "Balance âgée : montant restant dû des factures par retard sur leur échéance (aujourd'hui − échéance), "
    "avoirs et paiements partiels déduits."
)
DSO = (
    "DSO (méthode de l'épuisement) : on retire de l'encours le chiffre d'affaires net des mois écoulés, "
    "du plus récent au plus ancien, sur 3 mois au plus ; le DSO est le nombre de jours ainsi couverts."
)
