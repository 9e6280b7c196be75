from impactchain.cli import app

app()
