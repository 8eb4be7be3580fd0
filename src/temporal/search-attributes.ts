// Typed search attributes the installer sets, registered on every server we start (and in docker-compose).
// Never put a secret or customer-private value here: search attributes are not encrypted.
import { defineSearchAttributeKey } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  KloudspotSite: 'Keyword',
  KloudspotCustomer: 'Keyword',
  KloudspotPhase: 'Keyword',
} as const;

export const SiteKey = defineSearchAttributeKey('KloudspotSite', 'KEYWORD');
export const CustomerKey = defineSearchAttributeKey('KloudspotCustomer', 'KEYWORD');
export const PhaseKey = defineSearchAttributeKey('KloudspotPhase', 'KEYWORD');
