"""Predictions: serving them (`service`), the request rules (`validation`) and the
caller's saved ones (`history`). Import from those modules; this one stays empty so
reading the history never loads the serving machinery.
"""
