"""`kiosk console`: the central console, a server-rendered web application (FastAPI, Jinja2,
htmx) on SQLite or PostgreSQL, where admins and operators watch and run the fleet.

Modules: settings, db (engine, migrations), models, roles, passwords, auth (login, lockout,
sessions), audit, terminal_auth (the terminal identity seam), wire (what terminals send),
fleet (status, alerts, commands), app (factory), routes/* (pages and the terminal API),
server (uvicorn in a thread), cli. Personal data of residents never reaches it.
"""
