"""NGSI-LD notifications of a FIWARE context broker (Orion-LD, Scorpio, Stellio) turned into readings."""
