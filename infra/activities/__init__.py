"""Activities adapters: tables and use cases for 三会一课 and other activities, check-in, leave."""
