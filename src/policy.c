#include "policy.h"

bool sockshield_policy_resume(const struct sockshield_config *cfg, sockshield_sigset seen)
{
    if (!cfg->restart)
        return false;
    if (seen & SOCKSHIELD_POLICY_TKILL)
        return false;
    return (seen & cfg->norestart) == 0;
}
