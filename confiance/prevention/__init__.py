"""Prevention: Opération Tranquillité Vacances, Participation citoyenne, the réserve communale de sécurité civile."""
