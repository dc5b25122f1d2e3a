from addon import create_app

app = create_app()
