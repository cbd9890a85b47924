-- Keeps member_name_gram, the ordered lookup of name fragments, in step with member (0018).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_member_name_grams_written()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM member_name_gram g
        WHERE g.tenant_id = OLD.tenant_id AND g.member_id = OLD.id
          AND g.gram = ANY (OLD.name_grams);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
        SELECT NEW.tenant_id, g, NEW.id, NEW.name_pinyin, NEW.admitted_on
        FROM unnest(NEW.name_grams) g;
    END IF;
    RETURN NULL;
END
$function$;
