rule download:
    output:
        f"{RESULTS}/downloads/{{file}}",
    params:
        url=download_url,
        sha1=download_sha1,
    log:
        f"{RESULTS}/logs/download/{{file}}.log",
    conda:
        "../../envs/extract.yaml"
    script:
        "../../scripts/download.py"
