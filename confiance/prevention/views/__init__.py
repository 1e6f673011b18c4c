"""Pages of the prevention app, one module per part (OTV, Participation citoyenne, réserve communale)."""
