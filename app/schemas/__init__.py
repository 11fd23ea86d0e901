"""The API's request and response models (pydantic), apart from the tables."""
