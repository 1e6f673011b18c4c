"""Seed the alert templates of the usual risks of a commune's safety plan (shared by every commune, editable in the
administration; a commune adds its own)."""

from django.db import migrations

# risk, name, event, category, response, urgency, severity, certainty, hours, headline, instruction, description,
# headline (en), instruction (en)
TEMPLATES = [
    ("flood", "Inondation — évacuation des zones basses", "Crue", "Met", "Evacuate", "Immediate", "Severe",
     "Observed", 12, "Crue : quittez les zones inondables",
     "Quittez les rez-de-chaussée et les sous-sols des zones basses. Ne prenez pas votre voiture, ne traversez "
     "pas une route inondée. Coupez l'électricité et le gaz si l'eau monte. Rejoignez le point d'accueil indiqué "
     "par la mairie.",
     "Le niveau de la rivière dépasse la cote d'alerte et continue de monter.",
     "Flood: leave the flood-prone areas",
     "Leave ground floors and basements of low-lying areas. Do not drive or cross flooded roads."),
    ("heatwave", "Canicule", "Canicule", "Met", "Prepare", "Expected", "Moderate", "Likely", 72,
     "Canicule : protégez-vous de la chaleur",
     "Buvez de l'eau régulièrement, restez au frais aux heures chaudes, prenez des nouvelles de vos proches "
     "isolés. Les personnes fragiles peuvent s'inscrire sur le registre de la mairie.",
     "Fortes chaleurs de jour comme de nuit annoncées pour les prochains jours.",
     "Heatwave: protect yourself from the heat",
     "Drink water regularly, stay cool during the hottest hours, check on isolated relatives."),
    ("fire", "Incendie — mise à l'abri", "Incendie", "Fire", "Shelter", "Immediate", "Severe", "Observed", 6,
     "Incendie : fermez portes et fenêtres",
     "Restez chez vous, fermez portes, fenêtres et volets, arrêtez la ventilation. Ne sortez pas voir le feu, "
     "laissez la voie libre aux secours.",
     "Un incendie est en cours ; les fumées peuvent se répandre dans le quartier.",
     "Fire: close doors and windows", "Stay indoors, close doors and windows, switch off ventilation."),
    ("confinement", "Confinement", "Mise à l'abri", "Safety", "Shelter", "Immediate", "Severe", "Observed", 4,
     "Mise à l'abri : rentrez dans le bâtiment le plus proche",
     "Rentrez dans le bâtiment en dur le plus proche, fermez les ouvertures, éloignez-vous des fenêtres. "
     "N'allez pas chercher les enfants à l'école : ils y sont protégés. Écoutez la radio locale.",
     "Un événement grave impose la mise à l'abri de la population.",
     "Shelter in place: go into the nearest building",
     "Go into the nearest solid building, close openings, keep away from windows."),
    ("water_cut", "Coupure d'eau", "Coupure d'eau potable", "Infra", "Prepare", "Expected", "Minor", "Observed",
     24, "Coupure d'eau potable",
     "Faites une réserve d'eau. Une distribution de bouteilles est organisée par la mairie. Après la remise en "
     "eau, laissez couler le robinet quelques minutes.",
     "Une intervention sur le réseau interrompt la distribution d'eau potable.",
     "Drinking water cut", "Store water. Bottled water is handed out by the town hall."),
    ("storm", "Tempête", "Tempête", "Met", "Prepare", "Expected", "Severe", "Likely", 24,
     "Tempête : limitez vos déplacements",
     "Rentrez ou attachez les objets susceptibles d'être emportés, limitez vos déplacements, ne vous abritez "
     "pas sous les arbres. Ne touchez pas aux fils électriques tombés au sol.",
     "Des rafales de vent violentes sont annoncées.",
     "Storm: limit your journeys", "Secure loose objects, limit journeys, keep away from trees and fallen wires."),
    ("snow", "Neige et verglas", "Neige, verglas", "Met", "Prepare", "Expected", "Moderate", "Likely", 24,
     "Neige et verglas : prudence sur les routes",
     "Limitez vos déplacements, équipez votre véhicule, dégagez la neige devant chez vous.",
     "Des chutes de neige et du verglas sont annoncés.",
     "Snow and ice: take care on the roads", "Limit journeys and equip your vehicle."),
    ("industrial", "Accident industriel", "Accident industriel", "CBRNE", "Shelter", "Immediate", "Extreme",
     "Observed", 6, "Accident industriel : mettez-vous à l'abri",
     "Rentrez immédiatement dans un bâtiment, fermez les ouvertures et la ventilation, ne téléphonez qu'en cas "
     "d'urgence vitale, écoutez la radio locale.",
     "Un accident sur un site industriel entraîne un rejet dangereux.",
     "Industrial accident: take shelter", "Go indoors immediately, close openings and ventilation."),
    ("pollution", "Pollution de l'air", "Épisode de pollution", "Env", "Monitor", "Expected", "Minor", "Likely",
     24, "Pollution de l'air : réduisez les efforts physiques",
     "Évitez les efforts physiques intenses en plein air, surtout pour les enfants et les personnes fragiles. "
     "Privilégiez les transports en commun.",
     "Un épisode de pollution aux particules est en cours.",
     "Air pollution: reduce physical effort", "Avoid strenuous outdoor activity."),
]


def seed(apps, schema_editor):
    AlertTemplate = apps.get_model("alerts", "AlertTemplate")
    for (risk, name, event, category, response, urgency, severity, certainty, hours, headline, instruction,
         description, headline_en, instruction_en) in TEMPLATES:
        AlertTemplate.objects.get_or_create(commune=None, name=name, defaults={
            "risk": risk, "event": event, "category": category, "response_type": response, "urgency": urgency,
            "severity": severity, "certainty": certainty, "duration_hours": hours, "headline": headline,
            "instruction": instruction, "description": description, "headline_en": headline_en,
            "instruction_en": instruction_en})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
