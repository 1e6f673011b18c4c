"""The forbidden-categories detector: phrasings that must warn, and ordinary logbook sentences that must not."""

import pytest

from confiance.core.sensitive import fold, sensitive_matches

# Person nouns combined with colour, origin, ethnicity and religion adjectives, in their forms.
MUST_WARN = [
    ("Un homme noir a été vu près du portail.", "origine"),
    ("Une femme noire demande de l'aide.", "origine"),
    ("Deux hommes noirs quittent les lieux en courant.", "origine"),
    ("Trois femmes noires attendaient à l'arrêt.", "origine"),
    ("Individu blanc, 1 m 80, casquette rouge.", "origine"),
    ("Une jeune fille blanche a été importunée.", "origine"),
    ("Groupe de jeunes noirs au pied de l'immeuble.", "origine"),
    ("Un jeune maghrébin refuse le contrôle.", "origine"),
    ("Deux individus maghrébins sur un scooter.", "origine"),
    ("Une femme maghrébine signale un vol.", "origine"),
    ("Le conducteur, d'origine maghrébine, est verbalisé.", "origine"),
    ("Le mis en cause, d\u2019origine algérienne, est parti.", "origine"),
    ("Individu de type africain, 25 ans environ.", "origine"),
    ("Un homme de type nord-africain aurait crié.", "origine"),
    ("Personne de type asiatique, vêtue d'un jean.", "origine"),
    ("Un type arabe insulte les passants.", "origine"),
    ("Ces types africains revenaient du marché.", "origine"),
    ("Un mec black traîne devant le tabac.", "origine"),
    ("Des Roms installés sur le terrain communal.", "origine"),
    ("Une famille rom occupe le parking.", "origine"),
    ("Un gitan propose des services de jardinage.", "origine"),
    ("Des gens du voyage, famille gitane, stationnent.", "origine"),
    ("Un Noir et un Blanc se disputent.", "origine"),
    ("Des Arabes discutent bruyamment.", "origine"),
    ("Un Maghrébin a été interpellé.", "origine"),
    ("Garçon métis d'une dizaine d'années, perdu.", "origine"),
    ("Homme basané, barbe courte.", "origine"),
    ("Une personne de couleur a été insultée.", "origine"),
    ("Homme à la peau noire, blouson bleu.", "origine"),
    ("Individu au teint mat, 30 ans.", "origine"),
    ("Femme asiatique, sac à main dérobé.", "origine"),
    ("Un homme très typé a pris la fuite.", "origine"),
    ("Suspects d'apparence maghrébine.", "origine"),
    ("Victime d'origine étrangère.", "origine"),
    ("Les voisins sont d'une autre ethnie.", "origine"),
    ("La couleur de peau du suspect n'est pas connue.", "origine"),
    ("Un homme musulman prie dans le hall.", "religion"),
    ("La requérante, musulmane pratiquante, se plaint.", "religion"),
    ("Une femme voilée a été bousculée.", "religion"),
    ("Un homme juif a reçu des menaces.", "religion"),
    ("Une juive est venue porter plainte.", "religion"),
    ("Des musulmans sortaient de la salle.", "religion"),
    ("Il est de confession catholique.", "religion"),
    ("Le jeune, chrétien, refuse de répondre.", "religion"),
    ("Une femme en niqab sur le parvis.", "religion"),
    ("Un homme portant une kippa.", "religion"),
    ("Individu connu comme militant d'extrême droite.", "opinions"),
    ("Il est délégué syndical chez le transporteur.", "syndicat"),
    ("Personne séropositive, sous traitement médical.", "sante"),
    ("Une femme enceinte de 7 mois a fait un malaise.", "sante"),
    ("Une personne handicapée a chuté du trottoir.", "sante"),
    ("Couple homosexuel insulté dans la rue.", "sexualite"),
]

# Ordinary main courante sentences: none of them may warn.
MUST_NOT_WARN = [
    "Véhicule noir stationné en double file devant la boulangerie.",
    "Sac noir abandonné près de l'arrêt de bus, levée de doute effectuée.",
    "Point noir de circulation au carrefour de la mairie aux heures de pointe.",
    "Vente à la sauvette signalée, soupçon de marché noir de cigarettes.",
    "Travail au noir suspecté sur le chantier de la rue des Écoles.",
    "Vol d'un carton de vin blanc à la supérette.",
    "Nuit blanche pour les riverains à cause d'une fête.",
    "Rixe à l'arme blanche, SDIS prévenu.",
    "Passage de la patrouille Rue des Juifs, rien à signaler.",
    "Tapage nocturne place des Arabes, rappel à la réglementation.",
    "Ligne blanche franchie par un scooter, conducteur verbalisé.",
    "Voiture blanche immatriculée AB-123-CD, feu rouge grillé.",
    "Individu vêtu de noir, capuche sur la tête, a pris la fuite.",
    "Homme habillé en blanc, casquette bleue, parti vers la gare.",
    "Femme au manteau noir signalant la perte de son chien.",
    "Chien noir errant sur la chaussée, remis à la fourrière.",
    "Chien de race rottweiler sans muselière, propriétaire rappelé à l'ordre.",
    "Véhicule stationné sur une place réservée aux personnes handicapées, verbalisé.",
    "Stationnement sur emplacement handicapé, enlèvement demandé.",
    "Enceinte Bluetooth à fort volume dans le parc, musique arrêtée.",
    "Dégradation de l'enceinte du stade, grillage découpé.",
    "Repas au restaurant asiatique du centre, altercation entre clients au sujet de l'addition.",
    "Livraison de l'épicerie orientale gênant la circulation.",
    "Fête de l'école catholique Saint-Joseph, renfort demandé pour la sortie.",
    "Surveillance aux abords de l'église protestante pendant la cérémonie.",
    "Roue voilée après un choc contre le trottoir, véhicule immobilisé.",
    "Incendie de poubelle d'origine criminelle, plainte conseillée.",
    "Fuite d'eau d'origine inconnue sur la chaussée, services techniques prévenus.",
    "Contrôle d'un véhicule de type SUV gris, documents en règle.",
    "Rue Gay-Lussac, dépôt sauvage de gravats.",
    "Le requérant parle arabe, un voisin a traduit.",
    "Un jeune pratiquant le skate sur le parvis, rappel à l'ordre.",
    "La personne croyant bien faire avait déplacé la barrière.",
    "Le conducteur protestant contre la verbalisation a été calme ensuite.",
    "Dans le noir, la victime n'a pas vu l'agresseur.",
    "Le véhicule est reparti, feux éteints, dans le noir.",
    "Tableau noir de l'école tagué, photos prises.",
    "Carton jaune et maillot blanc retrouvés sur le terrain de football.",
    "Humour noir sur un tag du préau, effacement demandé.",
    "Manifestation déclarée en mairie, parcours sécurisé, pas d'incident.",
    "Tapage nocturne, musique forte, rappel à l'ordre effectué.",
    "Véhicule stationné sur le trottoir devant l'école, conducteur verbalisé.",
    "Animal blessé signalé, vétérinaire de garde contacté.",
    "Stationnement gênant d'un camion blanc devant la sortie de garage.",
    "Objet trouvé : portefeuille noir remis à l'accueil de la mairie.",
    "Jeune homme au blouson noir vu près du gymnase.",
    "Personnes âgées démarchées par un faux plombier, conseils donnés.",
    "Un type de véhicule rarement vu : camping-car blanc en stationnement abusif.",
]


@pytest.mark.parametrize(("text", "category"), MUST_WARN)
def test_phrasings_of_a_person_described_by_a_forbidden_category_warn(text, category):
    assert category in {match.category for match in sensitive_matches(text)}, text


@pytest.mark.parametrize("text", MUST_NOT_WARN)
def test_ordinary_logbook_sentences_do_not_warn(text):
    assert sensitive_matches(text) == [], text


def test_the_negative_corpus_is_large_enough():
    assert len(MUST_NOT_WARN) >= 40 and len(MUST_WARN) >= 40


def test_the_match_names_the_words_as_written_with_a_translated_category():
    (match,) = sensitive_matches("Signalement : un homme noir, 30 ans.")
    assert match.term == "homme noir" and "un homme noir, 30 ans" in match.excerpt
    assert match.as_dict()["category_label"] == "origine raciale ou ethnique"


def test_folding_keeps_offsets():
    text = "Élément « déjà » vu\u2019 ŒUF \ufb01n"
    assert len(fold(text)) == len(text) and fold("Maghrébine\u2019s") == "maghrebine's"
