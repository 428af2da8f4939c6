"""The family service: households, their guardians and children, the clé
enfance that ties an account to a household, and the bookings of activities."""
