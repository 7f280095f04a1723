import type { PluginSettings } from '@plystra/plugin-auth-settings';

export interface DeliveryEnvironment {
  production: boolean;
  capabilityToken: string | null;
}

/**
 * What keeps email delivery from working with these settings (empty when it is sane). In
 * production: capability mode only, an HTTPS endpoint, a sender and a token of 32+ characters.
 */
export function deliveryProblems(s: PluginSettings, env: DeliveryEnvironment): string[] {
  const problems: string[] = [];
  if (s.emailDeliveryMode === 'log') {
    if (env.production) problems.push('email_delivery_mode "log" is refused in production; set it to "capability"');
    return problems;
  }
  if (!s.emailCapabilityUrl) problems.push('email_capability_url is required in capability mode');
  else if (env.production && !s.emailCapabilityUrl.startsWith('https://')) problems.push('email_capability_url must use https in production');
  if (!s.emailFromAddress) problems.push('email_from_address is required in capability mode');
  if (!env.capabilityToken) problems.push('PLYSTRA_EMAIL_CAPABILITY_TOKEN (or EMAIL_CAPABILITY_TOKEN) is required in capability mode');
  else if (env.production && env.capabilityToken.length < 32) problems.push('PLYSTRA_EMAIL_CAPABILITY_TOKEN must be at least 32 characters in production');
  return problems;
}
