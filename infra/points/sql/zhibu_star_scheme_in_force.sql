-- The star scheme in force for a tenant and subject (0058): the latest version of its own,
-- or else of its nearest ancestor's, as point rules are inherited (none at all: the caller
-- takes the built-in default). SECURITY DEFINER so a county reads the city's scheme it
-- inherits; one statement per tenant of the chain, each naming its tenant (Citus routes
-- it to one shard). Only a tenant in the caller's scope has a chain.
CREATE OR REPLACE FUNCTION zhibu_star_scheme_in_force(p_tenant uuid, p_subject text)
RETURNS TABLE(
    tenant_id uuid, version integer, scheme jsonb, created_by uuid,
    created_at timestamp with time zone
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a uuid;
BEGIN
    FOREACH a IN ARRAY coalesce(zhibu_tenant_ancestors(p_tenant), '{}') LOOP
        RETURN QUERY
            SELECT s.tenant_id, s.version, s.scheme, s.created_by, s.created_at
            FROM star_scheme s WHERE s.tenant_id = a AND s.subject = p_subject
            ORDER BY s.version DESC LIMIT 1;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$$;
