# This file is part of the B2B wholesale suite.  Classes are registered in
# tryton.cfg.
