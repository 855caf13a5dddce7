"""The site's content as one JSON file: ``export_data`` writes it, ``import_data`` reads it into an
empty database (another engine, another host). It has no models and imports no app: it works on
whatever models are installed, so a model added later is exported without a change here."""
