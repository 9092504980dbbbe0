"""The public events pages, split by what the visitor does: read and register (session.py), follow a mailed
link to confirm and manage a registration (manage.py). events.routes assembles them."""
