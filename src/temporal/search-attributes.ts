// Typed search attributes the installer sets, registered by `kloudspot-installer setup`, on every dev server
// we start, and in docker-compose. Never put a secret or customer-private value here: they are not encrypted.
import { defineSearchAttributeKey } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  KloudspotSite: 'Keyword',
  KloudspotCustomer: 'Keyword',
  KloudspotPhase: 'Keyword',
  KloudspotHealth: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** What each attribute is for (README, `setup --help`). */
export const SEARCH_ATTRIBUTE_PURPOSE: Record<SearchAttributeName, string> = {
  KloudspotSite: 'the site name: `list`, `status` and the Web UI find a site\'s runs by it',
  KloudspotCustomer: 'the customer of the site: list every site of one customer',
  KloudspotPhase: 'the phase an install is in (preflight ... done): `list` shows it without querying each run',
  KloudspotHealth: 'ok, warn or fail from the last `doctor` run of a site',
};

export const SiteKey = defineSearchAttributeKey('KloudspotSite', 'KEYWORD');
export const CustomerKey = defineSearchAttributeKey('KloudspotCustomer', 'KEYWORD');
export const PhaseKey = defineSearchAttributeKey('KloudspotPhase', 'KEYWORD');
export const HealthKey = defineSearchAttributeKey('KloudspotHealth', 'KEYWORD');
