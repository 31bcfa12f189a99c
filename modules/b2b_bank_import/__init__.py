# This file is part of the B2B wholesale suite.
