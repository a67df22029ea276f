from qbank import create_app
app = create_app()
