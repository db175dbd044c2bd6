-- Characters of the OpenAI Videos API (POST /v1/videos/characters): a tenant's named reference clip, which a later
-- create request casts through reference-to-video. The clip itself lives in the result store under clip_key.
-- Portable SQL: runs on H2 and PostgreSQL.
CREATE TABLE video_characters (
    id           VARCHAR(64)   NOT NULL PRIMARY KEY,
    tenant       VARCHAR(64)   NOT NULL,
    name         VARCHAR(400)  NOT NULL,
    clip_key     VARCHAR(512)  NOT NULL,
    clip_size    BIGINT        NOT NULL,
    clip_seconds DECIMAL(9, 3) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX video_characters_tenant ON video_characters (tenant, created_at);
