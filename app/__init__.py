"""AI Trading Platform: agents trained on market data, predictions with trade signals."""
