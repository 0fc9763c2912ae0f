// Must NOT compile with the pipeline target's include paths (docs/design.md §2.2).
#include "physics/radar_config.h"

int BoundaryProbe() { return 0; }
