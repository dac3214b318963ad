"""The password hasher: Argon2id with OWASP's recommended parameters.

Django's own Argon2 parameters (100 MiB, 8 lanes) cost about 0.3 s of CPU and 100 MiB of memory
per sign-in; a class signing in at once would need gigabytes on one small server. OWASP's
Password Storage Cheat Sheet lists 19 MiB, 2 passes, 1 lane as equivalent protection (about
0.03 s here). Hashes made with other parameters are re-hashed with these at the next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
