#include "restart.h"

bool sockshield_restart_resume(const struct sockshield_config *cfg, sockshield_sigset seen)
{
    if (!cfg->restart)
        return false;
    if (seen & SOCKSHIELD_TKILL_BIT)
        return false;
    return (seen & cfg->norestart) == 0;
}
