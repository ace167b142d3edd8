rule download:
    output:
        f"{RESULTS}/downloads/{{file}}",
    log:
        f"{RESULTS}/logs/download/{{file}}.log",
    conda:
        "../../envs/extract.yaml"
    params:
        url=lambda wc, output: DOWNLOADS[output[0]][0],
        sha1=lambda wc, output: DOWNLOADS[output[0]][1],
        checksum_files=lambda wc, output: DOWNLOADS[output[0]][2],
        known=KNOWN_DOWNLOADS,
        record=f"{RESULTS}/downloads.json",
    script:
        "../../scripts/download.py"
