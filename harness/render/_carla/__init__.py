"""The CARLA renderer: a scene graph realised on a real CARLA map (0.9.15/0.9.16 client).

``carla`` is imported only when a CARLA renderer is opened; see ``_contract`` for every
call this package makes on the client's objects.
"""
