"""What is neither web nor domain: the trading clock, money, cursors, field errors.

Every layer may import `app.core`; it imports nothing of ours but `app.errors`.
"""
